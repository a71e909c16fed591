/**
 * Migrates one template database per run; every test file then gets its own copy (CREATE DATABASE ... TEMPLATE),
 * which is much faster than migrating each one.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createLogger, loadConfig, openRuntime } from '@emporium/server';
import { databaseUrl, TEST_DATABASE_ADMIN_URL } from './env';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}

export default async function setup(project: TestProject) {
  const template = `emporium_tpl_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${template}`);
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl(template),
    MIGRATE_ON_START: 'true',
  });
  const runtime = await openRuntime(config, createLogger(config));
  await runtime.close();
  project.provide('templateDatabase', template);
  return async () => {
    await admin.query(`drop database if exists ${template} with (force)`);
    await admin.end();
  };
}
