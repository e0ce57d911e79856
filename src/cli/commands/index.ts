/**
 * CLI commands are discovered: every module in this folder (other than this one and tests)
 * exports `register(program)`. A new command is one new file, with no shared list to edit.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';

export type RegisterCommand = (program: Command) => void;

interface CommandModule {
  register?: RegisterCommand;
  order?: number;
}

export async function loadCommands(): Promise<RegisterCommand[]> {
  const dir = fileURLToPath(new URL('./', import.meta.url));
  const files = readdirSync(dir)
    .filter((f) => /\.(js|ts)$/.test(f) && !/\.d\.ts$|\.test\.|\.map$|^index\./.test(f))
    .sort();
  const mods: { order: number; file: string; register: RegisterCommand }[] = [];
  for (const file of files) {
    const mod = (await import(new URL(`./${file}`, import.meta.url).href)) as CommandModule;
    if (typeof mod.register === 'function') mods.push({ order: mod.order ?? 100, file, register: mod.register });
  }
  mods.sort((a, b) => a.order - b.order || a.file.localeCompare(b.file));
  return mods.map((m) => m.register);
}
