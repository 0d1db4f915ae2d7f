import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface ServerCommand {
  command: string;
  /** Where it came from, for the output channel and error messages. */
  origin: 'setting' | 'bundled' | 'PATH' | '~/.cargo/bin';
}

const EXE = process.platform === 'win32' ? 'iacm-lsp.exe' : 'iacm-lsp';

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, process.platform === 'win32' ? fs.constants.F_OK : fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * `iacm.server.path` if set, else `<extension>/server/iacm-lsp` (platform
 * package), else `iacm-lsp` on PATH, else `~/.cargo/bin/iacm-lsp` (the
 * extension host takes PATH from a login shell, which may lack cargo's bin).
 * Throws an Error whose message says what to do.
 */
export function resolveServer(settingPath: string | undefined, extensionPath: string): ServerCommand {
  const configured = settingPath?.trim();
  if (configured) {
    if (!path.isAbsolute(configured)) {
      throw new Error(`iacm.server.path must be an absolute path; it is "${configured}".`);
    }
    if (!isExecutable(configured)) {
      throw new Error(`iacm.server.path is "${configured}", which is not an executable file.`);
    }
    return { command: configured, origin: 'setting' };
  }
  const bundled = path.join(extensionPath, 'server', EXE);
  if (isExecutable(bundled)) return { command: bundled, origin: 'bundled' };
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, EXE))) return { command: path.join(dir, EXE), origin: 'PATH' };
  }
  const cargo = path.join(os.homedir(), '.cargo', 'bin', EXE);
  if (isExecutable(cargo)) return { command: cargo, origin: '~/.cargo/bin' };
  throw new Error(
    'The iacm-lsp language server was not found: no iacm.server.path setting, no server bundled with ' +
      'this extension, and no iacm-lsp on PATH or in ~/.cargo/bin. Install it (cargo install --path . in ' +
      'the iacm-lsp repository) or set iacm.server.path to its absolute path.',
  );
}
