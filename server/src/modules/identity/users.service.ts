/** A signed-in user's own account: profile, password, saved addresses. Every address query is scoped to the actor. */
import { z } from 'zod';
import type { AddressInput, AddressUpdate, User as UserDto } from '@emporium/contract';
import type { AuthenticatedCtx, Ctx } from '../../platform/context';
import { BadRequestError, ConflictError, NotFoundError } from '../../platform/errors';
import { afterCursor, idColumn, toPage, type Keyset } from '../../platform/pagination';
import { hashPassword, verifyPassword } from '../../platform/secrets';
import { inTransaction } from '../../platform/unit-of-work';
import { identityAudit } from './identity.audit';
import { Address, User } from './identity.entities';
import { enqueueMail } from './identity.jobs';
import { confirmedName } from './mail-templates';
import { toAddressDto, toUserDto } from './identity.mapper';
import { revokeSessions } from './sessions';

const MAX_ADDRESSES = 50;

async function currentUser(ctx: AuthenticatedCtx): Promise<User> {
  return ctx.em.findOneOrFail(User, { id: ctx.actor.userId });
}

export async function getProfile(ctx: AuthenticatedCtx): Promise<UserDto> {
  return toUserDto(await currentUser(ctx));
}

export async function updateProfile(ctx: AuthenticatedCtx, input: { fullName: string }): Promise<UserDto> {
  const user = await currentUser(ctx);
  user.fullName = input.fullName;
  await ctx.em.flush();
  return toUserDto(user);
}

/** Changes the password after checking the current one; every other session ends and a notice is mailed. */
export async function changePassword(
  ctx: AuthenticatedCtx,
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  const user = await currentUser(ctx);
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    throw new BadRequestError('invalid_current_password', 'The current password is wrong.');
  }
  const passwordHash = await hashPassword(input.newPassword);
  await inTransaction(ctx, async (tx) => {
    const managed = await tx.em.findOneOrFail(User, { id: user.id });
    managed.passwordHash = passwordHash;
    await revokeSessions(tx, { userId: user.id, exceptSessionId: ctx.actor.sessionId }, 'password_changed');
    identityAudit.record(tx, { action: 'password.changed', targetId: user.id });
    await enqueueMail(tx, { template: 'password_changed', to: user.email, fullName: confirmedName(user) });
  });
}

/** The default address first, then the newest. */
const ADDRESSES: Keyset<Address> = {
  list: 'addresses',
  columns: [{ sql: 'is_default', cast: 'boolean', value: z.boolean(), of: (row) => row.isDefault }, idColumn('id')],
  direction: 'desc',
};

export async function listAddresses(ctx: AuthenticatedCtx, query: { limit: number; cursor?: string | undefined }) {
  const after = afterCursor(ADDRESSES, query.cursor);
  const rows = await ctx.em
    .createQueryBuilder(Address)
    .where({ userId: ctx.actor.userId })
    .andWhere(after.sql, after.params)
    .orderBy({ isDefault: 'desc', id: 'desc' })
    .limit(query.limit + 1)
    .getResultList();
  return toPage(ADDRESSES, rows, query.limit, toAddressDto);
}

async function ownAddress(ctx: AuthenticatedCtx, id: string): Promise<Address> {
  const address = await ctx.em.findOne(Address, { id, userId: ctx.actor.userId });
  if (!address) throw new NotFoundError('address');
  return address;
}

/** Clears the user's default (but `keepId`) before another takes it, as the unique partial index demands. */
async function clearDefault(ctx: Ctx, userId: string, keepId?: string): Promise<void> {
  await ctx.em.nativeUpdate(
    Address,
    { userId, isDefault: true, ...(keepId ? { id: { $ne: keepId } } : {}) },
    { isDefault: false },
  );
}

export async function createAddress(ctx: AuthenticatedCtx, input: z.infer<typeof AddressInput>) {
  return inTransaction(ctx, async (tx) => {
    // Lock the user's row so two concurrent first addresses cannot both become the default.
    await tx.em.execute('select 1 from users where id = ? for update', [ctx.actor.userId]);
    const count = await tx.em.count(Address, { userId: ctx.actor.userId });
    if (count >= MAX_ADDRESSES) throw new ConflictError('conflict', `At most ${MAX_ADDRESSES} addresses per user.`);
    const isDefault = count === 0 || input.isDefault === true;
    if (isDefault) await clearDefault(tx, ctx.actor.userId);
    const address = tx.em.create(Address, {
      ...input,
      label: input.label ?? null,
      line2: input.line2 ?? null,
      region: input.region ?? null,
      phone: input.phone ?? null,
      userId: ctx.actor.userId,
      isDefault,
    });
    tx.em.persist(address);
    await tx.em.flush();
    return toAddressDto(address);
  });
}

export async function updateAddress(ctx: AuthenticatedCtx, id: string, input: z.infer<typeof AddressUpdate>) {
  return inTransaction(ctx, async (tx) => {
    const address = await ownAddress(tx, id);
    // `isDefault: false` is ignored: the default only moves by making another address the default.
    const { isDefault, ...fields } = input;
    if (isDefault === true && !address.isDefault) {
      await clearDefault(tx, ctx.actor.userId, address.id);
      address.isDefault = true;
    }
    tx.em.assign(address, fields);
    await tx.em.flush();
    return toAddressDto(address);
  });
}

export async function deleteAddress(ctx: AuthenticatedCtx, id: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const address = await ownAddress(tx, id);
    tx.em.remove(address);
    await tx.em.flush();
    if (address.isDefault) {
      const next = await tx.em.findOne(Address, { userId: ctx.actor.userId }, { orderBy: { id: 'desc' } });
      if (next) next.isDefault = true;
    }
  });
}

/** The display names of some users, by id (for other modules that show who wrote or did something). */
export async function displayNames(ctx: Ctx, userIds: readonly string[]): Promise<Map<string, string>> {
  if (userIds.length === 0) return new Map();
  const users = await ctx.em.find(User, { id: { $in: [...userIds] } }, { fields: ['id', 'fullName'] });
  return new Map(users.map((user) => [user.id, user.fullName]));
}
