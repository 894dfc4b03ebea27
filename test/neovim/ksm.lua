-- Keras SavedModel Lint for Neovim 0.7 to 0.10: starts `ksm server --stdio` for Python
-- buffers, one server per project (the nearest folder with a marker file), shared by its buffers.
local ksm_root_markers = { 'pyproject.toml', 'setup.py', 'setup.cfg', 'requirements.txt', '.git' }
local ksm_clients = {} -- project root -> client id

local function ksm_project_root(file)
  local start = vim.fn.fnamemodify(file, ':p:h')
  local dir = start
  while true do
    for _, marker in ipairs(ksm_root_markers) do
      if vim.loop.fs_stat(dir .. '/' .. marker) then return dir end
    end
    local parent = vim.fn.fnamemodify(dir, ':h')
    if parent == dir then return start end
    dir = parent
  end
end

vim.api.nvim_create_autocmd('FileType', {
  pattern = 'python',
  callback = function(args)
    local root = ksm_project_root(vim.api.nvim_buf_get_name(args.buf))
    local id = ksm_clients[root]
    if not id or vim.lsp.client_is_stopped(id) then
      id = vim.lsp.start_client({
        name = 'ksm',
        cmd = { 'ksm', 'server', '--stdio' },
        root_dir = root,
        settings = { kerasSavedModel = { kerasVersion = 'auto' } },
      })
      ksm_clients[root] = id
    end
    if id then vim.lsp.buf_attach_client(args.buf, id) end
  end,
})

-- :KsmFixAll applies every safe fix of the current buffer (the server's fix-all source action).
vim.api.nvim_create_user_command('KsmFixAll', function()
  local bufnr = vim.api.nvim_get_current_buf()
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = { start = { line = 0, character = 0 }, ['end'] = { line = vim.api.nvim_buf_line_count(bufnr), character = 0 } },
    context = { diagnostics = {}, only = { 'source.fixAll.kerasSavedModel' } },
  }
  for id, response in pairs(vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', params, 2000) or {}) do
    for _, action in ipairs(response.result or {}) do
      if action.kind == 'source.fixAll.kerasSavedModel' and action.edit then
        vim.lsp.util.apply_workspace_edit(action.edit, vim.lsp.get_client_by_id(id).offset_encoding)
      end
    end
  end
end, {})
