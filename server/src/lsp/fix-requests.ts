import { CodeActionKind, ErrorCodes, ResponseError, type CodeAction, type CodeActionParams } from 'vscode-languageserver/node';
import { safeFixEdits } from '../engine/fix-all';
import { fixAllKind, notebookFixAllKind, serverCommands, type FixAllResult } from '../protocol';
import type { Analysis, DocumentState } from './analyses';
import { fixAllAction, kindRequested, quickFixes } from './code-actions';
import type { Session } from './session';

/**
 * Code actions (each diagnostic's quick-fixes, and fix-all by kind) and the fix-all command for
 * clients without a code-action UI.
 */
export class FixRequests {
  constructor(private readonly session: Session) {}

  async codeActions(params: CodeActionParams): Promise<CodeAction[]> {
    const { session } = this;
    // A notebook cell's actions come from its notebook, whose version the cell's diagnostics carry.
    const uri = params.textDocument.uri;
    const only = params.context.only;
    const requirementFixes = session.requirements.quickFixes(uri, params.context.diagnostics, session.support);
    if (requirementFixes) return kindRequested(only, CodeActionKind.QuickFix) ? requirementFixes : [];
    const state = session.stateOf(uri);
    if (!state) return [];
    const actions: CodeAction[] = [];
    if (kindRequested(only, CodeActionKind.QuickFix)) {
      const document = { uri, version: state.open.version };
      for (const diagnostic of params.context.diagnostics) actions.push(...quickFixes(diagnostic, document, session.support));
    }
    const notebookFixAll = state.notebook !== undefined && kindRequested(only, notebookFixAllKind);
    if (kindRequested(only, fixAllKind) || notebookFixAll) {
      // Asked for by kind (on save, or from the source-action menu) it is computed if stale;
      // in the plain list, which clients ask for on every cursor move, only a current one is offered.
      const analysis = only ? await session.analyses.current(state) : session.analyses.isCurrent(state) ? state.analysis : undefined;
      if (analysis?.settings.enable && analysis.version === state.open.version) {
        // In a notebook, the plain fix-all is the cell's: editors run it cell by cell on save.
        if (kindRequested(only, fixAllKind)) this.pushFixAll(actions, state, analysis, uri, fixAllKind, uri);
        if (notebookFixAll) this.pushFixAll(actions, state, analysis, uri, notebookFixAllKind);
      }
    }
    return actions;
  }

  /** The fix-all action of an analysis, for one cell of a notebook when `cellUri` names it. */
  private pushFixAll(actions: CodeAction[], state: DocumentState, analysis: Analysis, uri: string, kind: string, cellUri?: string): void {
    const edits = this.fixAllEdits(state, analysis, cellUri);
    const action = fixAllAction(edits, { uri, version: analysis.version }, this.session.support, kind);
    if (action) actions.push(action);
  }

  private fixAllEdits(state: DocumentState, analysis: Analysis, cellUri?: string) {
    const { findings } = analysis.result;
    return state.notebook ? state.notebook.fixAllEdits(findings, analysis.text, cellUri) : safeFixEdits(findings, analysis.text);
  }

  /**
   * Applies every safe fix of a document (a whole notebook, for a notebook or one of its
   * cells) through `workspace/applyEdit`.
   */
  async applyFixAll(uri: unknown): Promise<FixAllResult> {
    if (typeof uri !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, `${serverCommands.fixAll} expects a document URI`);
    const state = this.session.stateOf(uri);
    if (!state) throw new ResponseError(ErrorCodes.InvalidParams, `${uri} is not open`);
    const analysis = await this.session.analyses.current(state);
    if (!analysis?.settings.enable) return { fixes: 0, applied: false };
    const edits = this.fixAllEdits(state, analysis);
    const action = fixAllAction(edits, { uri: state.open.uri, version: analysis.version }, this.session.support);
    if (!action?.edit) return { fixes: 0, applied: false };
    const { applied } = await this.session.connection.workspace.applyEdit({ label: action.title, edit: action.edit });
    return { fixes: edits.length, applied };
  }
}
