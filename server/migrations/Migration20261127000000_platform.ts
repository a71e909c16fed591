import { Migration } from '@mikro-orm/migrations';

/** Platform tables: the job worker's heartbeat that /health/ready reads. */
export class Migration20261127000000_platform extends Migration {
  override up(): void {
    this.addSql(`
      create table worker_heartbeat (
        worker_id text primary key,
        beat_at timestamptz not null default now()
      );`);
  }

  override down(): void {
    this.addSql('drop table worker_heartbeat;');
  }
}
