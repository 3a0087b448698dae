"use strict";
// VS Code client for lp-lsp: starts it with the interpreter selected in the Python extension
// (or lpLsp.interpreter), for Python files and notebook cells, and restarts it when either changes.
const childProcess = require("child_process");
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");
const { serverCommand, checkCommand } = require("./server");

let client;
let output;

/** The Python command for a resource: the setting, else the Python extension's interpreter. */
async function pythonCommand(resource) {
  const configured = vscode.workspace.getConfiguration("lpLsp", resource).get("interpreter");
  if (configured && configured.length > 0) {
    return configured;
  }
  const extension = vscode.extensions.getExtension("ms-python.python");
  if (!extension) {
    return undefined;
  }
  const api = extension.isActive ? extension.exports : await extension.activate();
  if (api.environments) {
    const environment = await api.environments.resolveEnvironment(api.environments.getActiveEnvironmentPath(resource));
    if (environment && environment.executable && environment.executable.uri) {
      return [environment.executable.uri.fsPath];
    }
  }
  if (api.settings && api.settings.getExecutionDetails) {
    // older Python extensions
    const details = api.settings.getExecutionDetails(resource);
    if (details && details.execCommand && details.execCommand.length > 0) {
      return details.execCommand;
    }
  }
  return undefined;
}

function importable(python) {
  const check = checkCommand(python);
  return new Promise((resolve) => {
    childProcess.execFile(check.command, check.args, (error, _stdout, stderr) => resolve(error ? stderr || String(error) : ""));
  });
}

async function start() {
  const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  const resource = folder && folder.uri;
  const python = await pythonCommand(resource);
  if (!python) {
    vscode.window.showWarningMessage("lp-lsp: no Python interpreter. Select one (Python: Select Interpreter) or set lpLsp.interpreter.");
    return;
  }
  const problem = await importable(python);
  if (problem) {
    output.appendLine(problem);
    vscode.window.showWarningMessage(
      "lp-lsp is not installed for " + python.join(" ") + ": run `" + python.join(" ") + " -m pip install 'flake8-learning-phase[lsp]'`, then Restart lp-lsp."
    );
    return;
  }
  const args = vscode.workspace.getConfiguration("lpLsp", resource).get("args") || [];
  const server = serverCommand(python, args);
  output.appendLine("Starting lp-lsp: " + [server.command].concat(server.args).join(" "));
  client = new LanguageClient(
    "lpLsp",
    "flake8-learning-phase",
    { command: server.command, args: server.args, options: { cwd: resource ? resource.fsPath : undefined } },
    {
      documentSelector: [
        { scheme: "file", language: "python" },
        { scheme: "untitled", language: "python" },
        { scheme: "vscode-notebook-cell", language: "python" },
      ],
      outputChannel: output,
    }
  );
  await client.start();
}

async function restart() {
  if (client) {
    const running = client;
    client = undefined;
    await running.stop();
  }
  await start();
}

async function activate(context) {
  output = vscode.window.createOutputChannel("lp-lsp");
  context.subscriptions.push(output);
  context.subscriptions.push(vscode.commands.registerCommand("lpLsp.restart", restart));
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("lpLsp")) {
        restart();
      }
    })
  );
  const extension = vscode.extensions.getExtension("ms-python.python");
  if (extension) {
    const api = extension.isActive ? extension.exports : await extension.activate();
    if (api.environments && api.environments.onDidChangeActiveEnvironmentPath) {
      context.subscriptions.push(api.environments.onDidChangeActiveEnvironmentPath(() => restart()));
    }
  }
  await start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
