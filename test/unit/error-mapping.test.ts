import { AppError, ConflictError, constraintProblems, toAppError, ValidationError } from '@emporium/server';
import { describe, expect, it } from 'vitest';

/** What pg throws for a violated constraint (a DatabaseError carries `code` and `constraint`). */
const pgError = (code: string, constraint?: string) =>
  Object.assign(new Error('duplicate key value violates unique constraint'), { code, constraint });

const table = {
  widgets_name_key: () => new ConflictError('slug_taken', 'Another widget has this name.'),
};

describe('toAppError', () => {
  it('answers a unique violation of a known constraint with that constraint’s problem', () => {
    const problem = toAppError(pgError('23505', 'widgets_name_key'), table);
    expect(problem).toMatchObject({ status: 409, code: 'slug_taken', detail: 'Another widget has this name.' });
  });

  it('answers a unique violation of an unknown constraint with the generic 409', () => {
    expect(toAppError(pgError('23505', 'something_else_key'), table)).toMatchObject({
      status: 409,
      code: 'already_exists',
    });
    expect(toAppError(pgError('23505'), table)).toMatchObject({ status: 409, code: 'already_exists' });
  });

  it('does not take a constraint-table entry for a different kind of failure on that constraint', () => {
    expect(toAppError(pgError('22P02', 'widgets_name_key'), table)).toMatchObject({
      status: 400,
      code: 'validation_failed',
    });
  });

  it('does not look up names inherited from Object.prototype', () => {
    expect(toAppError(pgError('23505', 'constructor'), table)).toMatchObject({ code: 'already_exists' });
  });

  it('maps a foreign-key violation, a serialization failure and a deadlock to 409', () => {
    expect(toAppError(pgError('23503'), {})).toMatchObject({ status: 409, code: 'invalid_reference' });
    expect(toAppError(pgError('40001'), {})).toMatchObject({ status: 409, code: 'conflict' });
    expect(toAppError(pgError('40P01'), {})).toMatchObject({ status: 409, code: 'conflict' });
  });

  it('maps the modules’ own table: users_email_key is email_taken, a product slug is slug_taken', () => {
    expect(toAppError(pgError('23505', 'users_email_key'), constraintProblems)).toMatchObject({
      status: 409,
      code: 'email_taken',
    });
    expect(toAppError(pgError('23505', 'products_slug_key'), constraintProblems)).toMatchObject({
      status: 409,
      code: 'slug_taken',
    });
  });

  it('passes AppErrors through and turns body-parser failures into their problems', () => {
    const own = new ValidationError([{ path: 'body.x', message: 'bad', code: 'custom' }]);
    expect(toAppError(own)).toBe(own);
    expect(toAppError({ type: 'entity.too.large', status: 413 })).toMatchObject({ status: 413 });
    expect(toAppError({ type: 'entity.parse.failed', status: 400 })).toMatchObject({ code: 'malformed_json' });
  });

  it('leaves everything else to the generic 500 (undefined)', () => {
    expect(toAppError(new Error('boom'))).toBeUndefined();
    expect(toAppError(pgError('XX000'))).toBeUndefined();
    expect(toAppError('a string')).toBeUndefined();
    expect(toAppError(undefined)).toBeUndefined();
  });

  it('gives a fresh error per violation (problems are built, not shared)', () => {
    const first = toAppError(pgError('23505', 'widgets_name_key'), table);
    const second = toAppError(pgError('23505', 'widgets_name_key'), table);
    expect(first).toBeInstanceOf(AppError);
    expect(first).not.toBe(second);
  });
});
