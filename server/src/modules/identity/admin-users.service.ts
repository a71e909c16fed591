/** Admins manage users: list and search, create verified users of any role, change role and status. */
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { z } from 'zod';
import type { Role, User as UserDto } from '@emporium/contract';
import type { AuthenticatedCtx } from '../../platform/context';
import type { EntityManager } from '../../platform/database';
import { ConflictError, NotFoundError } from '../../platform/errors';
import { decodeCursor, likePattern, toPage } from '../../platform/pagination';
import { hashPassword } from '../../platform/secrets';
import { recordAudit } from './audit';
import { User } from './identity.entities';
import { toUserDto } from './identity.mapper';
import { revokeSessions } from './sessions';

const UserCursor = z.string().uuid();

export async function listUsers(
  ctx: AuthenticatedCtx,
  query: {
    limit: number;
    cursor?: string | undefined;
    q?: string | undefined;
    role?: Role | undefined;
    isActive?: boolean | undefined;
  },
) {
  const after = decodeCursor(query.cursor, UserCursor);
  const qb = ctx.em
    .createQueryBuilder(User)
    .orderBy({ id: 'desc' })
    .limit(query.limit + 1);
  if (query.role) qb.andWhere({ role: query.role });
  if (query.isActive !== undefined) qb.andWhere({ isActive: query.isActive });
  // Matches the trigram index expression of the migration, so the search is index-backed.
  if (query.q) qb.andWhere(`(email || ' ' || lower(full_name)) like lower(?)`, [likePattern(query.q)]);
  if (after) qb.andWhere({ id: { $lt: after } });
  const rows = await qb.getResultList();
  return toPage(rows, query.limit, toUserDto, (row) => row.id);
}

async function findUser(em: EntityManager, id: string): Promise<User> {
  const user = await em.findOne(User, { id });
  if (!user) throw new NotFoundError('user');
  return user;
}

export async function getUser(ctx: AuthenticatedCtx, id: string): Promise<UserDto> {
  return toUserDto(await findUser(ctx.em, id));
}

/** Creates a verified user with any role: how admins and vendors are made. */
export async function createUser(
  ctx: AuthenticatedCtx,
  input: { email: string; password: string; fullName: string; role: Role },
): Promise<UserDto> {
  const user = ctx.em.create(User, {
    email: input.email,
    passwordHash: await hashPassword(input.password),
    fullName: input.fullName,
    role: input.role,
    emailVerifiedAt: new Date(),
    isActive: true,
  });
  ctx.em.persist(user);
  recordAudit(ctx.em, ctx, { action: 'user.created_by_admin', targetId: user.id, details: { role: input.role } });
  try {
    await ctx.em.flush();
  } catch (error) {
    // The unique index decides, so two concurrent creations cannot both pass a check made before the insert.
    if (error instanceof UniqueConstraintViolationException)
      throw new ConflictError('email_taken', 'That email is taken.');
    throw error;
  }
  return toUserDto(user);
}

/**
 * Changes role and/or status. Sessions end on deactivation; a role change needs no new login, because the guard
 * reads the role live on every request.
 */
export async function updateUser(
  ctx: AuthenticatedCtx,
  id: string,
  input: { role?: Role | undefined; isActive?: boolean | undefined },
): Promise<UserDto> {
  if (id === ctx.actor.userId) throw new ConflictError('conflict', 'Admins cannot change their own role or status.');
  return ctx.em.transactional(async (em) => {
    const user = await findUser(em, id);
    if (input.role !== undefined && input.role !== user.role) {
      recordAudit(em, ctx, {
        action: 'user.role_changed',
        targetId: user.id,
        details: { from: user.role, to: input.role },
      });
      user.role = input.role;
    }
    if (input.isActive !== undefined && input.isActive !== user.isActive) {
      recordAudit(em, ctx, { action: 'user.active_changed', targetId: user.id, details: { isActive: input.isActive } });
      user.isActive = input.isActive;
      if (!input.isActive) await revokeSessions(em, { userId: user.id }, 'deactivated');
    }
    await em.flush();
    return toUserDto(user);
  });
}

/** BOOTSTRAP_ADMIN_*: creates that verified admin when no admin exists yet. Safe to run on every start. */
export async function ensureBootstrapAdmin(
  em: EntityManager,
  admin: { email: string; password: string },
): Promise<boolean> {
  if (await em.count(User, { role: 'admin' })) return false;
  const email = admin.email.trim().toLowerCase();
  const passwordHash = await hashPassword(admin.password);
  const existing = await em.findOne(User, { email });
  if (existing) {
    // The operator's password replaces whatever the account had: whoever registered it first does not become admin.
    Object.assign(existing, {
      role: 'admin',
      passwordHash,
      emailVerifiedAt: existing.emailVerifiedAt ?? new Date(),
      isActive: true,
    });
  } else {
    em.persist(
      em.create(User, {
        email,
        passwordHash,
        fullName: 'Administrator',
        role: 'admin',
        emailVerifiedAt: new Date(),
        isActive: true,
      }),
    );
  }
  await em.flush();
  return true;
}
