/** A signed-in user's own account: profile, password, saved addresses. Every address query is scoped to the actor. */
import { z } from 'zod';
import type { AddressInput, AddressUpdate, User as UserDto } from '@emporium/contract';
import type { AuthenticatedCtx } from '../../platform/context';
import type { EntityManager } from '../../platform/database';
import { BadRequestError, ConflictError, NotFoundError } from '../../platform/errors';
import { decodeCursor, toPage } from '../../platform/pagination';
import { hashPassword, verifyPassword } from '../../platform/secrets';
import { recordAudit } from './audit';
import { Address, User } from './identity.entities';
import { enqueueMail } from './identity.jobs';
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
  await ctx.em.transactional(async (em) => {
    const managed = await em.findOneOrFail(User, { id: user.id });
    managed.passwordHash = passwordHash;
    await revokeSessions(em, { userId: user.id, exceptSessionId: ctx.actor.sessionId }, 'password_changed');
    recordAudit(em, ctx, { action: 'password.changed', targetId: user.id });
    await enqueueMail(em, { template: 'password_changed', to: user.email, fullName: user.fullName });
  });
}

const AddressCursor = z.tuple([z.boolean(), z.string().uuid()]);

export async function listAddresses(ctx: AuthenticatedCtx, query: { limit: number; cursor?: string | undefined }) {
  const after = decodeCursor(query.cursor, AddressCursor);
  const qb = ctx.em
    .createQueryBuilder(Address)
    .where({ userId: ctx.actor.userId })
    .orderBy({ isDefault: 'desc', id: 'desc' })
    .limit(query.limit + 1);
  if (after) qb.andWhere('(is_default, id) < (?, ?)', after);
  const rows = await qb.getResultList();
  return toPage(rows, query.limit, toAddressDto, (row) => [row.isDefault, row.id]);
}

async function ownAddress(ctx: AuthenticatedCtx, id: string): Promise<Address> {
  const address = await ctx.em.findOne(Address, { id, userId: ctx.actor.userId });
  if (!address) throw new NotFoundError('address');
  return address;
}

/** Clears the user's default (but `keepId`) before another takes it, as the unique partial index demands. */
async function clearDefault(em: EntityManager, userId: string, keepId?: string): Promise<void> {
  await em.nativeUpdate(
    Address,
    { userId, isDefault: true, ...(keepId ? { id: { $ne: keepId } } : {}) },
    { isDefault: false },
  );
}

export async function createAddress(ctx: AuthenticatedCtx, input: z.infer<typeof AddressInput>) {
  return ctx.em.transactional(async (em) => {
    // Lock the user's row so two concurrent first addresses cannot both become the default.
    await em.execute('select 1 from users where id = ? for update', [ctx.actor.userId]);
    const count = await em.count(Address, { userId: ctx.actor.userId });
    if (count >= MAX_ADDRESSES) throw new ConflictError('conflict', `At most ${MAX_ADDRESSES} addresses per user.`);
    const isDefault = count === 0 || input.isDefault === true;
    if (isDefault) await clearDefault(em, ctx.actor.userId);
    const address = em.create(Address, {
      ...input,
      label: input.label ?? null,
      line2: input.line2 ?? null,
      region: input.region ?? null,
      phone: input.phone ?? null,
      userId: ctx.actor.userId,
      isDefault,
    });
    em.persist(address);
    await em.flush();
    return toAddressDto(address);
  });
}

export async function updateAddress(ctx: AuthenticatedCtx, id: string, input: z.infer<typeof AddressUpdate>) {
  return ctx.em.transactional(async (em) => {
    const address = await ownAddress({ ...ctx, em }, id);
    // `isDefault: false` is ignored: the default only moves by making another address the default.
    const { isDefault, ...fields } = input;
    if (isDefault === true && !address.isDefault) {
      await clearDefault(em, ctx.actor.userId, address.id);
      address.isDefault = true;
    }
    em.assign(address, fields);
    await em.flush();
    return toAddressDto(address);
  });
}

export async function deleteAddress(ctx: AuthenticatedCtx, id: string): Promise<void> {
  await ctx.em.transactional(async (em) => {
    const address = await ownAddress({ ...ctx, em }, id);
    em.remove(address);
    await em.flush();
    if (address.isDefault) {
      const next = await em.findOne(Address, { userId: ctx.actor.userId }, { orderBy: { id: 'desc' } });
      if (next) next.isDefault = true;
    }
  });
}
