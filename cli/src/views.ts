/** How users look on a terminal; shared by whoami, users and admins. */
import type { GetProfileResponse } from '@emporium/sdk';
import { formatDetails, printJson, printLine, yesNo, type Column } from './output';

export type User = GetProfileResponse;

export const userColumns: readonly Column<User>[] = [
  { header: 'ID', value: (user) => user.id },
  { header: 'EMAIL', value: (user) => user.email },
  { header: 'NAME', value: (user) => user.fullName },
  { header: 'ROLE', value: (user) => user.role },
  { header: 'VERIFIED', value: (user) => yesNo(user.emailVerified) },
  { header: 'ACTIVE', value: (user) => yesNo(user.isActive) },
  { header: 'CREATED', value: (user) => user.createdAt.slice(0, 10) },
];

export function printUser(user: User, json: boolean): void {
  if (json) return printJson(user);
  printLine(
    formatDetails([
      ['ID', user.id],
      ['Email', user.email],
      ['Name', user.fullName],
      ['Role', user.role],
      ['Verified', yesNo(user.emailVerified)],
      ['Active', yesNo(user.isActive)],
      ['Created', user.createdAt],
      ['Updated', user.updatedAt],
    ]),
  );
}
