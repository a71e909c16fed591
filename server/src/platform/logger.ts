import { pino, type Logger } from 'pino';
import type { Config } from '../config';

export type { Logger };

/**
 * JSON logs; credentials and tokens are redacted wherever they appear in a logged request, and a job's payload
 * (graphile-worker logs the whole job when one fails) is never logged: it may carry a mailed token or a password hash.
 */
export function createLogger(config: Pick<Config, 'LOG_LEVEL'>): Logger {
  return pino({
    level: config.LOG_LEVEL,
    base: { service: 'emporium' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
        '*.password',
        '*.refreshToken',
        '*.token',
        'job.payload',
      ],
      censor: '[redacted]',
    },
  });
}
