/**
 * Environment variables -> zod -> a frozen, typed configuration. A bad or missing variable stops the start with a
 * message naming every problem at once. The README's configuration table lists the same variables and defaults.
 */
import { z } from 'zod';

const booleanFlag = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');
const optionalUrl = z.string().url().optional();
const csv = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  );

const EnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    HOST: z.string().default('0.0.0.0'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    PUBLIC_URL: z.string().url().optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DATABASE_URL: optionalUrl,
    DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
    EMBEDDED_PG_DIR: z.string().default('.data/postgres'),
    EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
    MIGRATE_ON_START: booleanFlag.optional(),
    REDIS_URL: optionalUrl,
    REDIS_KEY_PREFIX: z.string().default('emporium:'),
    RUN_WORKER: booleanFlag.optional(),
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(50).default(4),
    SMTP_URL: optionalUrl,
    MAIL_FROM: z.string().default('Emporium <no-reply@emporium.local>'),
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    JWT_ISSUER: z.string().default('emporium'),
    JWT_AUDIENCE: z.string().default('emporium-api'),
    ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(3600).default(900),
    REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
    CORS_ORIGINS: csv,
    TRUST_PROXY: z.string().default('loopback'),
    BODY_LIMIT: z.string().default('100kb'),
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
    BOOTSTRAP_ADMIN_EMAIL: z.string().email().optional(),
    BOOTSTRAP_ADMIN_PASSWORD: z.string().min(12).max(256).optional(),
    SENTRY_DSN: optionalUrl,
    CATALOG_CURRENCY: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .default('USD'),
    /** How long an unpaid order holds its stock; fractions allowed (tests use seconds). */
    ORDER_PAYMENT_TIMEOUT_MINUTES: z.coerce.number().min(0.01).max(10_080).default(15),
    /** A guest cart untouched this long is removed by a job. */
    GUEST_CART_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
    CATALOG_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
    MEDIA_DIR: z.string().default('.data/media'),
    S3_BUCKET: z.string().optional(),
    S3_REGION: z.string().default('us-east-1'),
    S3_ENDPOINT: optionalUrl,
    S3_ACCESS_KEY_ID: z.string().optional(),
    S3_SECRET_ACCESS_KEY: z.string().optional(),
    S3_FORCE_PATH_STYLE: booleanFlag.default('false'),
    S3_PUBLIC_URL: optionalUrl.transform((url) => url?.replace(/\/+$/, '')),
    SEED_DEMO_CATALOG: booleanFlag.optional(),
    OAUTH_GOOGLE_CLIENT_ID: z.string().optional(),
    OAUTH_GOOGLE_CLIENT_SECRET: z.string().optional(),
    OAUTH_OIDC_NAME: z
      .string()
      .regex(/^[a-z0-9-]{1,40}$/)
      .default('oidc'),
    OAUTH_OIDC_ISSUER: optionalUrl,
    OAUTH_OIDC_CLIENT_ID: z.string().optional(),
    OAUTH_OIDC_CLIENT_SECRET: z.string().optional(),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV !== 'production') return;
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'JWT_SECRET', 'PUBLIC_URL', 'SMTP_URL'] as const) {
      if (!env[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'is required in production' });
    }
  })
  .superRefine((env, ctx) => {
    if (!env.S3_BUCKET) return;
    // Objects are served straight from the bucket (or a CDN in front of it), never through the API.
    if (!env.S3_PUBLIC_URL)
      ctx.addIssue({ code: 'custom', path: ['S3_PUBLIC_URL'], message: 'is required when S3_BUCKET is set' });
    if (Boolean(env.S3_ACCESS_KEY_ID) !== Boolean(env.S3_SECRET_ACCESS_KEY)) {
      ctx.addIssue({
        code: 'custom',
        path: ['S3_SECRET_ACCESS_KEY'],
        message: 'S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together (neither: the AWS default credential chain)',
      });
    }
  })
  .superRefine((env, ctx) => {
    if (Boolean(env.BOOTSTRAP_ADMIN_EMAIL) !== Boolean(env.BOOTSTRAP_ADMIN_PASSWORD)) {
      ctx.addIssue({
        code: 'custom',
        path: ['BOOTSTRAP_ADMIN_PASSWORD'],
        message: 'BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD go together',
      });
    }
  });

export type Env = z.infer<typeof EnvSchema>;

export interface Config extends Env {
  PUBLIC_URL: string;
  isProduction: boolean;
  /** Whether this process also runs the job worker (the development default; production runs `worker` apart). */
  runWorker: boolean;
  migrateOnStart: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment (process.env by default); throws ConfigError naming every bad variable. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Readonly<Config> {
  const env = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const value = parsed.data;
  const isProduction = value.NODE_ENV === 'production';
  return Object.freeze({
    ...value,
    PUBLIC_URL: (value.PUBLIC_URL ?? `http://localhost:${value.PORT}`).replace(/\/$/, ''),
    isProduction,
    runWorker: value.RUN_WORKER ?? !isProduction,
    migrateOnStart: value.MIGRATE_ON_START ?? !isProduction,
  });
}
