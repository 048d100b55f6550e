import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase } from "../../src/db/database.js";
import { createLogger } from "../../src/logging/logger.js";
import { LoreService } from "../../src/lore/lore-service.js";
import { LoreStore } from "../../src/lore/lore-store.js";
import { BENCH_GUILD_ID, syntheticLore } from "../corpus/entries.js";
import { ROOT } from "../lib/paths.js";
import { progress } from "../lib/progress.js";

const silent = createLogger({ level: "silent", pretty: false });

/**
 * The SQLite files the figures start bots on, built once per run in a temp folder: the canon imported as the bot
 * imports it, and the canon plus N synthetic faction entries imported through LoreStore (the real write path).
 */
export class BenchDatabases {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), "khitomer-bench-"));
  private canon: Promise<string> | undefined;
  private readonly withLore = new Map<number, Promise<{ file: string; importMs: number }>>();
  private copies = 0;

  /** Migrated, canon imported. */
  canonDatabase(): Promise<string> {
    this.canon ??= (async () => {
      const file = path.join(this.dir, "canon.db");
      const db = await openDatabase(`file:${file}`);
      const result = await new LoreService(new LoreStore(db.prisma), silent).importCanon(path.join(ROOT, "data"));
      await db.close();
      if (result.status !== "imported") throw new Error(`canon import failed: ${JSON.stringify(result)}`);
      return settle(file);
    })();
    return this.canon;
  }

  /** The canon plus `size` synthetic faction entries of the bench server, imported through LoreStore.importDrafts. */
  loreDatabase(size: number): Promise<{ file: string; importMs: number }> {
    let built = this.withLore.get(size);
    if (!built) {
      built = (async () => {
        const file = path.join(this.dir, `lore-${size}.db`);
        copyFileSync(await this.canonDatabase(), file);
        const drafts = syntheticLore(size, { kind: "faction" });
        const db = await openDatabase(`file:${file}`);
        const started = performance.now();
        let reported = 0;
        await new LoreStore(db.prisma).importDrafts(BENCH_GUILD_ID, drafts, {
          prune: false,
          onProgress: (done, total) => {
            if (done - reported >= 20_000 || done === total) {
              reported = done;
              progress(`  importing synthetic lore through LoreStore: ${done}/${total}`);
            }
          },
        });
        const importMs = performance.now() - started;
        await db.close();
        return { file: settle(file), importMs };
      })();
      this.withLore.set(size, built);
    }
    return built;
  }

  /** A private copy, so a bot's writes never leak into the next measurement. */
  copy(file: string): string {
    this.copies += 1;
    const target = path.join(this.dir, `copy-${this.copies}.db`);
    copyFileSync(file, target);
    return target;
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Prisma has disconnected, so the WAL is checkpointed: the main file alone is the database. */
function settle(file: string): string {
  for (const suffix of ["-wal", "-shm"]) if (existsSync(file + suffix)) rmSync(file + suffix);
  return file;
}
