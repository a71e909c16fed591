/**
 * What can be checked of the shipped Dockerfile and docker-compose.yml without a Docker engine: the non-root process
 * has somewhere to write uploads, the volume is mounted there, and compose cannot start production with a localhost
 * PUBLIC_URL or a public /metrics.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '@emporium/server';

const read = (file: string) => readFileSync(fileURLToPath(new URL(`../../${file}`, import.meta.url)), 'utf8');
const dockerfile = read('Dockerfile').replace(/\\\n/g, ' ');
const compose = read('docker-compose.yml');

/** The instructions of the Dockerfile's last stage (the image that runs), continuation lines joined. */
function runtimeStage(): string[] {
  const lines = dockerfile.split('\n').filter((line) => line.trim() && !line.trim().startsWith('#'));
  const lastFrom = lines.map((line) => /^FROM\b/i.test(line.trim())).lastIndexOf(true);
  return lines.slice(lastFrom).map((line) => line.trim().replace(/\s+/g, ' '));
}

/** A top-level service's block of docker-compose.yml. */
function service(name: string): string {
  const match = new RegExp(`^  ${name}:\\n((?:    .*\\n|\\s*\\n)*)`, 'm').exec(compose);
  if (!match) throw new Error(`no service ${name} in docker-compose.yml`);
  return match[1]!;
}

describe('the runtime image', () => {
  const stage = runtimeStage();
  const mediaDir = /^ENV .*\bMEDIA_DIR=(\S+)/m.exec(stage.join('\n'))?.[1];
  const userAt = stage.findIndex((line) => /^USER node\b/.test(line));

  it('sets MEDIA_DIR to an absolute directory outside the code', () => {
    expect(mediaDir).toMatch(/^\/var\/lib\//);
  });

  it('creates MEDIA_DIR and gives it to the node user before dropping root', () => {
    const prepare = stage.findIndex(
      (line) =>
        /^RUN\b/.test(line) && /mkdir -p "?\$MEDIA_DIR"?/.test(line) && /chown node:node "?\$MEDIA_DIR"?/.test(line),
    );
    expect(prepare).toBeGreaterThan(-1);
    expect(userAt).toBeGreaterThan(prepare);
  });

  it('declares the media directory a volume', () => {
    expect(stage).toContain(`VOLUME ["${mediaDir}"]`);
  });
});

describe('docker-compose.yml', () => {
  it('mounts a named media volume at the image MEDIA_DIR in the API', () => {
    const mediaDir = /MEDIA_DIR=(\S+)/.exec(dockerfile)?.[1];
    expect(service('api')).toContain(`- media:${mediaDir}`);
    expect(compose).toMatch(/^volumes:\n(?: {2}.*\n)* {2}media:\s*$/m);
  });

  it.each(['PUBLIC_URL', 'METRICS_TOKEN', 'JWT_SECRET', 'SMTP_URL'])('requires %s instead of defaulting it', (name) => {
    const line = new RegExp(`^\\s+${name}: (.*)$`, 'm').exec(compose)?.[1];
    expect(line).toMatch(new RegExp(`^\\$\\{${name}:\\?`));
  });
});

describe('production configuration', () => {
  const production = {
    NODE_ENV: 'production',
    DATABASE_URL: 'postgres://db/emporium',
    REDIS_URL: 'redis://redis:6379',
    JWT_SECRET: 'x'.repeat(32),
    PUBLIC_URL: 'https://shop.example.com',
    SMTP_URL: 'smtp://mail.example.com',
  };

  it('refuses to start without METRICS_TOKEN', () => {
    expect(() => loadConfig(production)).toThrow(/METRICS_TOKEN: is required in production/);
    expect(loadConfig({ ...production, METRICS_TOKEN: 'y'.repeat(32) }).METRICS_TOKEN).toBe('y'.repeat(32));
  });
});
