"use strict";
// How lp-lsp is started from a Python command. No `vscode` import here, so that the tests can
// run it with plain Node.js.

// lp-lsp run by the interpreter itself (`python -m`): the interpreter the Python extension
// selected rarely has its scripts folder on VS Code's PATH.
const MODULE = "flake8_learning_phase.frontends.lsp";
const CHECK = "import " + MODULE;

/** The server's command and arguments for a Python command such as ["/venv/bin/python"]. */
function serverCommand(python, extraArgs) {
  return { command: python[0], args: python.slice(1).concat(["-m", MODULE], extraArgs || []) };
}

/** The command that exits 0 when lp-lsp is importable by that Python. */
function checkCommand(python) {
  return { command: python[0], args: python.slice(1).concat(["-c", CHECK]) };
}

module.exports = { serverCommand, checkCommand };
