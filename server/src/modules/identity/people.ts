/** What other modules may know of users and their addresses: plain rows, never entities. */
import type { Ctx } from '../../platform/context';
import { Address, User } from './identity.entities';

export interface PostalAddress {
  fullName: string;
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postalCode: string;
  country: string;
  phone: string | null;
}

/** One of the user's saved addresses; undefined for an unknown id or another user's (the caller answers 404). */
export async function addressOf(ctx: Ctx, userId: string, addressId: string): Promise<PostalAddress | undefined> {
  const address = await ctx.em.findOne(Address, { id: addressId, userId });
  if (!address) return undefined;
  return {
    fullName: address.fullName,
    line1: address.line1,
    line2: address.line2 ?? null,
    city: address.city,
    region: address.region ?? null,
    postalCode: address.postalCode,
    country: address.country,
    phone: address.phone ?? null,
  };
}

export interface Contact {
  email: string;
  fullName: string;
}

/** Email and name of each user, for mails. */
export async function contactsOf(ctx: Ctx, userIds: readonly string[]): Promise<Map<string, Contact>> {
  if (userIds.length === 0) return new Map();
  const users = await ctx.em.find(User, { id: { $in: [...userIds] } }, { fields: ['id', 'email', 'fullName'] });
  return new Map(users.map((user) => [user.id, { email: user.email, fullName: user.fullName }]));
}

/** The id of the user with this email (normalised), for admin search. */
export async function userIdByEmail(ctx: Ctx, email: string): Promise<string | undefined> {
  const user = await ctx.em.findOne(User, { email: email.trim().toLowerCase() }, { fields: ['id'] });
  return user?.id;
}
