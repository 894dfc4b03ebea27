-- Test harness for Neovim's built-in LSP client against `ksm server --stdio`. run.mjs starts
--   nvim --headless -u test/neovim/init.lua
-- with KSM_NVIM_CASES naming a JSON file of expectations. The harness loads the user config
-- (ksm.lua beside this file, which the README quotes as it is), opens each case's file, waits
-- for its diagnostics, then either asks for code actions at the first one and applies the
-- expected action's edit, or runs the config's command (:KsmFixAll), and checks the buffer.
-- Each check becomes one JSON line in KSM_NVIM_RESULTS; then Neovim quits.

local here = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h')
local spec = vim.fn.json_decode(table.concat(vim.fn.readfile(os.getenv('KSM_NVIM_CASES')), '\n'))
local results_path = os.getenv('KSM_NVIM_RESULTS')
local timeout_ms = spec.timeoutMs

vim.o.swapfile = false
vim.o.shadafile = 'NONE'
vim.cmd('filetype on')
dofile(here .. '/ksm.lua')

local function record(result)
  vim.fn.writefile({ vim.fn.json_encode(result) }, results_path, 'a')
end

--- Waits until `probe` returns a truthy value; fails naming what it waited for and what it last saw.
local function wait_for(what, probe)
  local value, seen
  local ok = vim.wait(timeout_ms, function()
    value, seen = probe()
    return value and true or false
  end, 50)
  if not ok then
    error(('timed out after %d ms waiting for %s; last seen: %s'):format(timeout_ms, what, seen or 'nothing'), 0)
  end
  return value
end

--- Runs a group of checks in order; after a failure the rest of the group is recorded as skipped
--- (each check depends on the ones before it).
local function run_checks(checks)
  local failed = false
  for _, check in ipairs(checks) do
    if failed then
      record({ name = check[1], status = 'skipped' })
    else
      local started = vim.loop.hrtime()
      local ok, err = pcall(check[2])
      local ms = math.floor((vim.loop.hrtime() - started) / 1e6)
      record({ name = check[1], status = ok and 'passed' or 'failed', detail = not ok and tostring(err) or nil, ms = ms })
      failed = not ok
    end
  end
  return not failed
end

local function ksm_client(bufnr)
  for _, client in pairs(vim.lsp.buf_get_clients(bufnr)) do
    if client.name == 'ksm' then return client end
  end
end

local function describe(diagnostics)
  local parts = {}
  for _, d in ipairs(diagnostics) do table.insert(parts, ('%s@%d'):format(tostring(d.code), d.lnum + 1)) end
  return #parts > 0 and table.concat(parts, ', ') or 'none'
end

local severity_names = { 'error', 'warning', 'information', 'hint' }

local function by_position(line_a, code_a, line_b, code_b)
  return line_a < line_b or (line_a == line_b and tostring(code_a) < tostring(code_b))
end

--- A diagnostic as the server sent it, with its range in the client's encoding (as code actions need it).
local function to_lsp(bufnr, d, encoding)
  local lsp = vim.deepcopy((d.user_data and d.user_data.lsp) or {})
  lsp.range = {
    start = { line = d.lnum, character = vim.lsp.util.character_offset(bufnr, d.lnum, d.col, encoding) },
    ['end'] = { line = d.end_lnum, character = vim.lsp.util.character_offset(bufnr, d.end_lnum, d.end_col, encoding) },
  }
  lsp.severity, lsp.message, lsp.source, lsp.code = d.severity, d.message, d.source, d.code
  return lsp
end

local function expect_buffer(bufnr, expected)
  local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  for i = 1, math.max(#lines, #expected) do
    if lines[i] ~= expected[i] then
      error(('line %d is %s, expected %s'):format(i, vim.inspect(lines[i]), vim.inspect(expected[i])), 0)
    end
  end
end

local function case_checks(case)
  local path = spec.workspace .. '/' .. case.file
  local bufnr, client, diagnostics, action
  local checks = {
    { case.file .. ': opening it attaches the ksm client', function()
      vim.cmd('edit ' .. vim.fn.fnameescape(path))
      bufnr = vim.api.nvim_get_current_buf()
      if vim.bo[bufnr].filetype ~= 'python' then error('filetype is "' .. vim.bo[bufnr].filetype .. '"', 0) end
      client = wait_for('the ksm client to attach and initialize', function()
        local c = ksm_client(bufnr)
        return c and c.initialized and c, c and 'attached, not initialized' or 'no ksm client on the buffer'
      end)
    end },
    { case.file .. ': diagnostics ' .. describe(vim.tbl_map(function(e) return { code = e.code, lnum = e.line - 1 } end, case.diagnostics)), function()
      diagnostics = wait_for('diagnostics', function()
        local found = vim.diagnostic.get(bufnr)
        return #found > 0 and found, describe(found)
      end)
      table.sort(diagnostics, function(a, b) return by_position(a.lnum, a.code, b.lnum, b.code) end)
      local wanted = vim.deepcopy(case.diagnostics)
      table.sort(wanted, function(a, b) return by_position(a.line, a.code, b.line, b.code) end)
      if #diagnostics ~= #wanted then error('got ' .. describe(diagnostics), 0) end
      for i, want in ipairs(wanted) do
        local got = diagnostics[i]
        if got.code ~= want.code or got.lnum + 1 ~= want.line or severity_names[got.severity] ~= want.severity
          or got.source ~= 'keras-savedmodel-lint' then
          error(('expected %s@%d (%s), got %s@%d (%s, source %s)'):format(want.code, want.line, want.severity,
            tostring(got.code), got.lnum + 1, tostring(severity_names[got.severity]), tostring(got.source)), 0)
        end
      end
    end },
  }
  if case.command then
    table.insert(checks, { case.file .. ': :' .. case.command .. ' changes the buffer as expected', function()
      vim.cmd(case.command)
      expect_buffer(bufnr, case.expectedLines)
    end })
  else
    vim.list_extend(checks, {
      { case.file .. ': textDocument/codeAction offers "' .. case.action.title .. '"', function()
        local first = to_lsp(bufnr, diagnostics[1], client.offset_encoding)
        local params = {
          textDocument = { uri = vim.uri_from_bufnr(bufnr) },
          range = first.range,
          context = { diagnostics = { first } },
        }
        local responses = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', params, timeout_ms)
        local response = (responses or {})[client.id]
        if not response then error('no answer from the server', 0) end
        if response.error then error('error: ' .. vim.inspect(response.error), 0) end
        local titles = {}
        for _, candidate in ipairs(response.result or {}) do
          table.insert(titles, candidate.title)
          if candidate.title == case.action.title then action = candidate end
        end
        if not action then error('got: ' .. table.concat(titles, ' | '), 0) end
        for _, title in ipairs(case.action.alongside or {}) do
          if not vim.tbl_contains(titles, title) then error('no "' .. title .. '" among: ' .. table.concat(titles, ' | '), 0) end
        end
        if action.kind ~= 'quickfix' then error('kind is ' .. tostring(action.kind), 0) end
        if case.action.preferred ~= nil and (action.isPreferred == true) ~= case.action.preferred then
          error('isPreferred is ' .. tostring(action.isPreferred), 0)
        end
      end },
      { case.file .. ': applying it changes the buffer as expected', function()
        vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
        expect_buffer(bufnr, case.expectedLines)
      end },
    })
  end
  table.insert(checks, { case.file .. ': the diagnostics clear after the edit', function()
    wait_for('no diagnostics', function()
      local left = vim.diagnostic.get(bufnr)
      return #left == 0, describe(left)
    end)
  end })
  return checks
end

local function active_ksm_clients()
  return vim.tbl_filter(function(c) return c.name == 'ksm' end, vim.lsp.get_active_clients())
end

local function run()
  local checks = {
    { 'Neovim ' .. tostring(vim.version().major) .. '.' .. vim.version().minor .. '.' .. vim.version().patch
      .. ' has the LSP functions the config and the test use', function()
      local missing = {}
      for name, fn in pairs({
        ['vim.lsp.start_client'] = vim.lsp.start_client, ['vim.lsp.buf_attach_client'] = vim.lsp.buf_attach_client,
        ['vim.lsp.buf_request_sync'] = vim.lsp.buf_request_sync, ['vim.diagnostic.get'] = vim.diagnostic.get,
        ['vim.lsp.util.apply_workspace_edit'] = vim.lsp.util.apply_workspace_edit,
      }) do
        if type(fn) ~= 'function' then table.insert(missing, name) end
      end
      if #missing > 0 then error('missing: ' .. table.concat(missing, ', '), 0) end
    end },
  }
  if not run_checks(checks) then return end
  for _, case in ipairs(spec.cases) do run_checks(case_checks(case)) end
  run_checks({ { 'one ksm client serves the project, rooted at the workspace', function()
    local clients = active_ksm_clients()
    if #clients ~= 1 then error(#clients .. ' ksm clients', 0) end
    local root = clients[1].config.root_dir
    if vim.loop.fs_realpath(root) ~= vim.loop.fs_realpath(spec.workspace) then error('root_dir is ' .. tostring(root), 0) end
  end }, { 'the client shuts the server down', function()
    local client = active_ksm_clients()[1]
    if not client then error('no ksm client', 0) end
    vim.lsp.stop_client(client.id)
    wait_for('the client to stop', function()
      return vim.lsp.client_is_stopped(client.id), 'still running'
    end)
  end } })
end

vim.api.nvim_create_autocmd('VimEnter', {
  once = true,
  nested = true, -- :edit in here must fire filetype detection and the config's FileType autocmd
  callback = function()
    local ok, err = pcall(run)
    if not ok then record({ name = 'the harness', status = 'failed', detail = tostring(err) }) end
    record({ done = true })
    vim.cmd('qall!')
  end,
})
