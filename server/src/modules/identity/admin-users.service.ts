/** Admins manage users: list and search, create verified users of any role, change role and status. */
import type { Role, User as UserDto } from '@emporium/contract';
import type { AuthenticatedCtx, Ctx } from '../../platform/context';
import { ConflictError, NotFoundError } from '../../platform/errors';
import { afterCursor, idColumn, likePattern, toPage, type Keyset } from '../../platform/pagination';
import { hashPassword } from '../../platform/secrets';
import { inTransaction } from '../../platform/unit-of-work';
import { identityAudit } from './identity.audit';
import { User } from './identity.entities';
import { toUserDto } from './identity.mapper';
import { revokeSessions } from './sessions';

/** Newest first. */
const USERS: Keyset<User> = { list: 'users', columns: [idColumn('id')], direction: 'desc' };

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
  const after = afterCursor(USERS, query.cursor);
  const qb = ctx.em
    .createQueryBuilder(User)
    .orderBy({ id: 'desc' })
    .limit(query.limit + 1);
  if (query.role) qb.andWhere({ role: query.role });
  if (query.isActive !== undefined) qb.andWhere({ isActive: query.isActive });
  // Matches the trigram index expression of the migration, so the search is index-backed.
  if (query.q) qb.andWhere(`(email || ' ' || lower(full_name)) like lower(?)`, [likePattern(query.q)]);
  qb.andWhere(after.sql, after.params);
  const rows = await qb.getResultList();
  return toPage(USERS, rows, query.limit, toUserDto);
}

async function findUser(ctx: Ctx, id: string): Promise<User> {
  const user = await ctx.em.findOne(User, { id });
  if (!user) throw new NotFoundError('user');
  return user;
}

export async function getUser(ctx: AuthenticatedCtx, id: string): Promise<UserDto> {
  return toUserDto(await findUser(ctx, id));
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
  identityAudit.record(ctx, { action: 'user.created_by_admin', targetId: user.id, details: { role: input.role } });
  // The unique index decides (users_email_key answers 409 email_taken: identity's constraints), so two concurrent
  // creations cannot both pass a check made before the insert.
  await ctx.em.flush();
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
  return inTransaction(ctx, async (tx) => {
    const user = await findUser(tx, id);
    if (input.role !== undefined && input.role !== user.role) {
      identityAudit.record(tx, {
        action: 'user.role_changed',
        targetId: user.id,
        details: { from: user.role, to: input.role },
      });
      user.role = input.role;
    }
    if (input.isActive !== undefined && input.isActive !== user.isActive) {
      identityAudit.record(tx, {
        action: 'user.active_changed',
        targetId: user.id,
        details: { isActive: input.isActive },
      });
      user.isActive = input.isActive;
      if (!input.isActive) await revokeSessions(tx, { userId: user.id }, 'deactivated');
    }
    await tx.em.flush();
    return toUserDto(user);
  });
}

/** BOOTSTRAP_ADMIN_*: creates that verified admin when no admin exists yet. Safe to run on every start. */
export async function ensureBootstrapAdmin(ctx: Ctx, admin: { email: string; password: string }): Promise<boolean> {
  if (await ctx.em.count(User, { role: 'admin' })) return false;
  const email = admin.email.trim().toLowerCase();
  const passwordHash = await hashPassword(admin.password);
  const existing = await ctx.em.findOne(User, { email });
  if (existing) {
    // The operator's password replaces whatever the account had: whoever registered it first does not become admin.
    Object.assign(existing, {
      role: 'admin',
      passwordHash,
      emailVerifiedAt: existing.emailVerifiedAt ?? new Date(),
      isActive: true,
    });
  } else {
    ctx.em.persist(
      ctx.em.create(User, {
        email,
        passwordHash,
        fullName: 'Administrator',
        role: 'admin',
        emailVerifiedAt: new Date(),
        isActive: true,
      }),
    );
  }
  await ctx.em.flush();
  return true;
}

export interface ImportedUser {
  id: string;
  email: string;
  fullName: string;
  createdAt: Date;
}

/**
 * Creates verified, active accounts of one role in bulk, sharing one password hash (development tools: the demo
 * catalog). Accounts whose email exists are left as they are. Answers the ids, by email, of the listed accounts that
 * now have that role and are active.
 */
export async function importVerifiedUsers(
  ctx: Ctx,
  role: Role,
  people: readonly ImportedUser[],
  passwordHash: string,
): Promise<Map<string, string>> {
  if (people.length === 0) return new Map();
  await ctx.em.execute(
    `insert into users (id, email, password_hash, full_name, role, email_verified_at, is_active, created_at, updated_at)
     select u.id, u.email, ?, u.full_name, ?, u.created_at, true, u.created_at, u.created_at
       from unnest(array[?]::uuid[], array[?]::text[], array[?]::text[], array[?]::timestamptz[])
            as u(id, email, full_name, created_at)
     on conflict (email) do nothing`,
    [
      passwordHash,
      role,
      people.map((person) => person.id),
      people.map((person) => person.email),
      people.map((person) => person.fullName),
      people.map((person) => person.createdAt.toISOString()),
    ],
  );
  const found = await ctx.em.find(
    User,
    { role, isActive: true, email: { $in: people.map((person) => person.email) } },
    { fields: ['id', 'email'] },
  );
  return new Map(found.map((user) => [user.email, user.id]));
}
