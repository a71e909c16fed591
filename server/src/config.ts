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
    // Timeouts (ms; 0 turns one off). Every request's wait on PostgreSQL is bounded, so a held lock or a dead server
    // ends in a 503 instead of a request (and a pool slot) parked for as long as the lock is held.
    DATABASE_ACQUIRE_TIMEOUT_MS: z.coerce.number().int().min(0).default(3000),
    DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
    DATABASE_LOCK_TIMEOUT_MS: z.coerce.number().int().min(0).default(2000),
    DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
    DATABASE_MIGRATION_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(600_000),
    EMBEDDED_PG_DIR: z.string().default('.data/postgres'),
    EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
    MIGRATE_ON_START: booleanFlag.optional(),
    REDIS_URL: optionalUrl,
    REDIS_KEY_PREFIX: z.string().default('emporium:'),
    // Bounds every Redis command, those parked for re-sending after a dropped connection included.
    REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(10).max(10_000).default(250),
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
    RATE_LIMIT_MULTIPLIER: z.coerce.number().positive().max(10_000).default(1),
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
    SHUTDOWN_DRAIN_DELAY_MS: z.coerce.number().int().min(0).max(120_000).optional(),
    BOOTSTRAP_ADMIN_EMAIL: z.string().email().optional(),
    BOOTSTRAP_ADMIN_PASSWORD: z.string().min(12).max(256).optional(),
    SENTRY_DSN: optionalUrl,
    CATALOG_CURRENCY: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .default('USD'),
    /** The seller named at the head of every invoice. */
    INVOICE_SELLER: z.string().trim().min(1).max(300).default('Emporium Marketplace'),
    /** How long an unpaid order holds its stock; fractions allowed (tests use seconds). */
    ORDER_PAYMENT_TIMEOUT_MINUTES: z.coerce.number().min(0.01).max(10_080).default(15),
    /** A guest cart untouched this long is removed by a job. */
    GUEST_CART_TTL_DAYS: z.coerce.number().min(0.00001).max(365).default(30),
    /** Stripe: unset, orders cannot choose `stripe`. STRIPE_API_BASE points the real client elsewhere (tests). */
    STRIPE_SECRET_KEY: z.string().min(1).optional(),
    STRIPE_WEBHOOK_SECRET: z.string().min(1).optional(),
    STRIPE_API_BASE: optionalUrl,
    /**
     * PayPal (Orders v2 over its REST API): unset client id and secret, orders cannot choose `paypal`. Webhooks are
     * verified against PAYPAL_WEBHOOK_ID; PAYPAL_API_BASE is the sandbox's or a local server's address elsewhere.
     */
    PAYPAL_CLIENT_ID: z.string().min(1).optional(),
    PAYPAL_CLIENT_SECRET: z.string().min(1).optional(),
    PAYPAL_WEBHOOK_ID: z.string().min(1).optional(),
    PAYPAL_API_BASE: z
      .string()
      .url()
      .default('https://api-m.paypal.com')
      .transform((url) => url.replace(/\/+$/, '')),
    /** The platform's commission on each vendor's part of a captured payment, unless an admin set one for the vendor. */
    PLATFORM_COMMISSION_BPS: z.coerce.number().int().min(0).max(10_000).default(1000),
    /** The daily reconciliation compares the provider's payments touched in this many past days with the ledger. */
    PAYMENTS_RECONCILIATION_DAYS: z.coerce.number().int().min(1).max(90).default(2),
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
    for (const name of [
      'DATABASE_URL',
      'REDIS_URL',
      'JWT_SECRET',
      'PUBLIC_URL',
      'SMTP_URL',
      'METRICS_TOKEN',
    ] as const) {
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
    if (Boolean(env.PAYPAL_CLIENT_ID) !== Boolean(env.PAYPAL_CLIENT_SECRET)) {
      ctx.addIssue({
        code: 'custom',
        path: ['PAYPAL_CLIENT_SECRET'],
        message: 'PAYPAL_CLIENT_ID and PAYPAL_CLIENT_SECRET go together',
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
  /** `RATE_LIMIT_<POLICY>[_<BUDGET>]=points/seconds`, by the upper-case name after `RATE_LIMIT_`. */
  rateLimitOverrides: Readonly<Record<string, { points: number; durationSeconds: number }>>;
  isProduction: boolean;
  /** Whether this process also runs the job worker (the development default; production runs `worker` apart). */
  runWorker: boolean;
  migrateOnStart: boolean;
  /** How long SIGTERM keeps serving (readiness 503, `Connection: close`) before it stops accepting. */
  shutdownDrainDelayMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const RATE_LIMIT_VARIABLE = /^RATE_LIMIT_([A-Z0-9_]+)$/;
const RATE_LIMIT_BUDGET = /^(\d{1,9})\/(\d{1,9})$/;

/** The `RATE_LIMIT_<NAME>=points/seconds` variables; which names exist is checked against the policies at start. */
function rateLimitOverrides(env: Record<string, string>, problems: string[]): Config['rateLimitOverrides'] {
  const overrides: Record<string, { points: number; durationSeconds: number }> = {};
  for (const [name, value] of Object.entries(env)) {
    const match = RATE_LIMIT_VARIABLE.exec(name);
    if (!match || name === 'RATE_LIMIT_MULTIPLIER') continue;
    const budget = RATE_LIMIT_BUDGET.exec(value.trim());
    const points = Number(budget?.[1]);
    const durationSeconds = Number(budget?.[2]);
    if (!budget || points < 1 || durationSeconds < 1) {
      problems.push(`${name}: must be points/seconds with both at least 1, e.g. 60/60`);
      continue;
    }
    overrides[match[1]!] = { points, durationSeconds };
  }
  return overrides;
}

/** Parses the environment (process.env by default); throws ConfigError naming every bad variable. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Readonly<Config> {
  const env = Object.fromEntries(
    Object.entries(source).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''),
  );
  const parsed = EnvSchema.safeParse(env);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  const overrides = rateLimitOverrides(env, problems);
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const value = parsed.data;
  const isProduction = value.NODE_ENV === 'production';
  return Object.freeze({
    ...value,
    PUBLIC_URL: (value.PUBLIC_URL ?? `http://localhost:${value.PORT}`).replace(/\/$/, ''),
    rateLimitOverrides: overrides,
    isProduction,
    runWorker: value.RUN_WORKER ?? !isProduction,
    migrateOnStart: value.MIGRATE_ON_START ?? !isProduction,
    // Long enough for a load balancer to see readiness fail (a few probe intervals); nobody balances a dev server.
    shutdownDrainDelayMs: value.SHUTDOWN_DRAIN_DELAY_MS ?? (isProduction ? 5000 : 0),
  });
}
