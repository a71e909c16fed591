/** The only way identity entities leave the module. */
import type { z } from 'zod';
import type { Address as AddressDto, User as UserDto } from '@emporium/contract';
import type { Address, User } from './identity.entities';

export function toUserDto(user: User): UserDto {
  return {
    id: user.id,
    email: user.email,
    fullName: user.fullName,
    role: user.role,
    emailVerified: user.emailVerifiedAt !== null && user.emailVerifiedAt !== undefined,
    isActive: user.isActive,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}

export function toAddressDto(address: Address): z.infer<typeof AddressDto> {
  return {
    id: address.id,
    label: address.label ?? null,
    fullName: address.fullName,
    line1: address.line1,
    line2: address.line2 ?? null,
    city: address.city,
    region: address.region ?? null,
    postalCode: address.postalCode,
    country: address.country,
    phone: address.phone ?? null,
    isDefault: address.isDefault,
    createdAt: address.createdAt.toISOString(),
    updatedAt: address.updatedAt.toISOString(),
  };
}
