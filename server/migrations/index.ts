/** The ordered list of migrations; a new one is appended here (see README, "Migrations"). */
import { Migration20261127000000_platform } from './Migration20261127000000_platform';

export const migrations = [
  { name: 'Migration20261127000000_platform', class: Migration20261127000000_platform },
];
