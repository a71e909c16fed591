/**
 * The catalog commands end to end (`categories`, `products`): the real server in-process, the CLI as a child
 * process logged in as the bootstrap admin, and a vendor acting through the SDK as the web app would.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createProduct,
  getMyProduct,
  getProduct,
  submitProduct,
  updateProfile,
  type ApproveProductResponse,
  type CreateCategoryResponse,
  type ListProductsForReviewResponse,
} from '@emporium/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server';
import { ADMIN, ADMIN_ENV, makeUser, type SignedInUser } from '../support/users';
import { CLI_TIMEOUT, parseJson, runCli, type CliRun } from './cli-runner';
import { startRequestLogProxy } from './request-log-proxy';

type CategoryJson = CreateCategoryResponse;
type ProductJson = ApproveProductResponse;
type ProductPage = ListProductsForReviewResponse;

const UNKNOWN_ID = '00000000-0000-7000-8000-000000000000';
/** An API error line as the CLI prints it: the problem's detail, then its code and the request id. */
const apiError = (detail: string, code: string) => new RegExp(`^error: ${detail} \\(${code}, request [^)]+\\)$`, 'm');

describe('emporium CLI: catalog', () => {
  let server: TestServer;
  let configHome: string;
  const cli = (args: string[], options: { env?: Record<string, string>; home?: string } = {}) =>
    runCli(['--url', server.baseUrl, ...args], { configHome: options.home ?? configHome, ...options });

  /** `categories create` with --json; fails the test unless it exits 0. */
  const createCategory = async (args: string[]): Promise<CategoryJson> => {
    const run = await cli(['categories', 'create', ...args, '--json']);
    expect(run.code, run.stderr).toBe(0);
    return parseJson<CategoryJson>(run);
  };
  const categoryTree = async (): Promise<CategoryJson[]> => {
    const run = await cli(['categories', 'list', '--json']);
    expect(run.code, run.stderr).toBe(0);
    return parseJson<{ data: CategoryJson[] }>(run).data;
  };
  const lines = (run: CliRun) => run.stdout.trimEnd().split('\n');

  beforeAll(async () => {
    server = await startTestServer({ env: ADMIN_ENV });
    configHome = await mkdtemp(join(tmpdir(), 'emporium-cli-'));
    const login = await runCli(['--url', server.baseUrl, 'login', '--email', ADMIN.email], {
      configHome,
      env: { EMPORIUM_PASSWORD: ADMIN.password },
    });
    expect(login.code, login.stderr).toBe(0);
  });

  afterAll(async () => {
    await server?.close();
    if (configHome) await rm(configHome, { recursive: true, force: true });
  });

  describe('categories', () => {
    it(
      'create nests categories under --parent and list prints them indented by depth',
      async () => {
        const home = await createCategory(['Home']);
        const kitchen = await createCategory(['Kitchen', '--parent', home.id]);
        const knives = await createCategory([
          'Knives',
          '--parent',
          kitchen.id,
          '--slug',
          'kitchen-knives',
          '--position',
          '3',
        ]);
        expect(home).toMatchObject({ name: 'Home', slug: 'home', parentId: null, depth: 0, position: 0 });
        expect(kitchen).toMatchObject({ parentId: home.id, depth: 1 });
        expect(knives).toMatchObject({ slug: 'kitchen-knives', parentId: kitchen.id, depth: 2, position: 3 });

        const run = await cli(['categories', 'list']);
        expect(run.code, run.stderr).toBe(0);
        const [header, ...rows] = lines(run);
        expect(header).toMatch(/^NAME\s+SLUG\s+POSITION\s+ID$/);
        const rowOf = (category: CategoryJson) => rows.findIndex((row) => row.endsWith(category.id));
        expect(rows[rowOf(home)]).toMatch(new RegExp(`^Home\\s+home\\s+0\\s+${home.id}$`));
        expect(rows[rowOf(kitchen)]).toMatch(new RegExp(`^ {2}Kitchen\\s+kitchen\\s+0\\s+${kitchen.id}$`));
        expect(rows[rowOf(knives)]).toMatch(new RegExp(`^ {4}Knives\\s+kitchen-knives\\s+3\\s+${knives.id}$`));
        expect(rowOf(home)).toBeLessThan(rowOf(kitchen));
        expect(rowOf(kitchen)).toBeLessThan(rowOf(knives));
      },
      CLI_TIMEOUT,
    );

    it(
      'list --json prints the whole pre-order list with parentId and depth',
      async () => {
        const parent = await createCategory(['Books']);
        const child = await createCategory(['Comics', '--parent', parent.id]);
        const tree = await categoryTree();
        const ids = tree.map((category) => category.id);
        expect(ids.indexOf(child.id)).toBe(ids.indexOf(parent.id) + 1);
        expect(tree.find((category) => category.id === child.id)).toMatchObject({ parentId: parent.id, depth: 1 });
      },
      CLI_TIMEOUT,
    );

    it(
      'list needs no login',
      async () => {
        const home = await mkdtemp(join(tmpdir(), 'emporium-cli-'));
        try {
          const run = await cli(['categories', 'list'], { home });
          expect(run.code, run.stderr).toBe(0);
          expect(run.stdout).toMatch(/^NAME\s+SLUG\s+POSITION\s+ID$/m);
        } finally {
          await rm(home, { recursive: true, force: true });
        }
      },
      CLI_TIMEOUT,
    );

    it(
      'move takes the subtree under the new parent, and --parent root makes it top-level',
      async () => {
        const garden = await createCategory(['Garden']);
        const tools = await createCategory(['Tools']);
        const spades = await createCategory(['Spades', '--parent', tools.id]);

        const moved = await cli(['categories', 'move', tools.id, '--parent', garden.id, '--json']);
        expect(moved.code, moved.stderr).toBe(0);
        expect(parseJson<CategoryJson>(moved)).toMatchObject({ id: tools.id, parentId: garden.id, depth: 1 });
        expect((await categoryTree()).find((category) => category.id === spades.id)).toMatchObject({
          parentId: tools.id,
          depth: 2,
        });

        const list = await cli(['categories', 'list']);
        expect(list.stdout).toMatch(
          new RegExp(`^Garden\\s.*\\n {2}Tools\\s.*\\n {4}Spades\\s+spades\\s+0\\s+${spades.id}$`, 'm'),
        );

        const toTop = await cli(['categories', 'move', tools.id, '--parent', 'root']);
        expect(toTop.code, toTop.stderr).toBe(0);
        expect(toTop.stdout).toMatch(/^Parent\s+- \(top level\)$/m);
        expect(toTop.stdout).toMatch(/^Depth\s+0$/m);
        expect((await categoryTree()).find((category) => category.id === spades.id)).toMatchObject({ depth: 1 });
      },
      CLI_TIMEOUT,
    );

    it(
      'a move under its own subtree exits 1 with the category_cycle detail and changes nothing',
      async () => {
        const fruit = await createCategory(['Fruit']);
        const apples = await createCategory(['Apples', '--parent', fruit.id]);

        const run = await cli(['categories', 'move', fruit.id, '--parent', apples.id]);
        expect(run.code).toBe(1);
        expect(run.stderr).toMatch(apiError('A category cannot move under its own subtree\\.', 'category_cycle'));
        expect(run.stdout).toBe('');
        expect((await categoryTree()).find((category) => category.id === fruit.id)).toMatchObject({
          parentId: null,
          depth: 0,
        });
      },
      CLI_TIMEOUT,
    );

    it(
      'a move of an unknown category exits 1 with not_found',
      async () => {
        const run = await cli(['categories', 'move', UNKNOWN_ID, '--parent', 'root']);
        expect(run.code).toBe(1);
        expect(run.stderr).toMatch(/^error: .*\(not_found, request [^)]+\)$/m);
      },
      CLI_TIMEOUT,
    );

    it(
      'move without --parent, or create with a bad --position, is a usage error (exit 2)',
      async () => {
        const noParent = await cli(['categories', 'move', UNKNOWN_ID]);
        expect(noParent.code).toBe(2);
        expect(noParent.stderr).toContain('give --parent <id|slug> or --root');

        const both = await cli(['categories', 'move', UNKNOWN_ID, '--parent', 'home', '--root']);
        expect(both.code).toBe(2);

        const badPosition = await cli(['categories', 'create', 'Misc', '--position', 'first']);
        expect(badPosition.code).toBe(2);
        expect(badPosition.stderr).toContain('Use a whole number from 0 to 10000.');
      },
      CLI_TIMEOUT,
    );
  });

  describe('categories: names, slugs, rename and delete', () => {
    const named = async (name: string) => (await categoryTree()).filter((category) => category.name === name);

    it(
      'create refuses a second sibling with the same name in any letter case (exit 1) and creates nothing',
      async () => {
        const first = await createCategory(['Electronics']);

        const again = await cli(['categories', 'create', 'electronics ']);
        expect(again.code).toBe(1);
        expect(again.stderr).toMatch(
          /^error: a category named "Electronics" already exists at the top level \(duplicate_name\)$/m,
        );
        expect(again.stderr).toContain(`the existing one: slug electronics, id ${first.id}`);
        expect(again.stderr).toContain('add --allow-duplicate');
        expect(again.stdout).toBe('');
        expect((await categoryTree()).filter((category) => /^electronics$/i.test(category.name.trim()))).toHaveLength(
          1,
        );

        const underParent = await createCategory(['Electronics', '--parent', first.id]);
        expect(underParent).toMatchObject({ parentId: first.id, depth: 1 });
        const twiceUnderParent = await cli(['categories', 'create', 'ELECTRONICS', '--parent', 'electronics']);
        expect(twiceUnderParent.code).toBe(1);
        expect(twiceUnderParent.stderr).toContain('already exists under "Electronics" (electronics) (duplicate_name)');
      },
      CLI_TIMEOUT,
    );

    it(
      'create --allow-duplicate makes the second sibling anyway, with a slug of its own',
      async () => {
        const first = await createCategory(['Toys']);
        const second = await createCategory(['Toys', '--allow-duplicate']);
        expect(second.id).not.toBe(first.id);
        expect(second.slug).not.toBe(first.slug);
        expect(await named('Toys')).toHaveLength(2);
      },
      CLI_TIMEOUT,
    );

    it(
      'create takes the parent by slug',
      async () => {
        const sports = await createCategory(['Sports']);
        const tennis = await createCategory(['Tennis', '--parent', 'sports']);
        expect(tennis).toMatchObject({ parentId: sports.id, depth: 1 });
      },
      CLI_TIMEOUT,
    );

    it(
      'rename changes the name by id or slug and keeps the slug unless --slug is given',
      async () => {
        const music = await createCategory(['Musik']);

        const byId = await cli(['categories', 'rename', music.id, 'Music', '--json']);
        expect(byId.code, byId.stderr).toBe(0);
        expect(parseJson<CategoryJson>(byId)).toMatchObject({ id: music.id, name: 'Music', slug: 'musik' });

        const bySlug = await cli(['categories', 'rename', 'musik', 'Music & Audio', '--slug', 'music-audio']);
        expect(bySlug.code, bySlug.stderr).toBe(0);
        expect(bySlug.stdout).toMatch(/^Name\s+Music & Audio$/m);
        expect(bySlug.stdout).toMatch(/^Slug\s+music-audio$/m);
      },
      CLI_TIMEOUT,
    );

    it(
      "rename refuses a sibling's name (exit 1) but allows a change of letter case of its own",
      async () => {
        const films = await createCategory(['Films']);
        await createCategory(['Series']);

        const clash = await cli(['categories', 'rename', films.id, 'SERIES']);
        expect(clash.code).toBe(1);
        expect(clash.stderr).toContain('a category named "Series" already exists at the top level (duplicate_name)');
        expect((await categoryTree()).find((category) => category.id === films.id)?.name).toBe('Films');

        const recased = await cli(['categories', 'rename', 'films', 'FILMS', '--json']);
        expect(recased.code, recased.stderr).toBe(0);
        expect(parseJson<CategoryJson>(recased).name).toBe('FILMS');

        const forced = await cli(['categories', 'rename', 'films', 'Series', '--allow-duplicate', '--json']);
        expect(forced.code, forced.stderr).toBe(0);
        expect(await named('Series')).toHaveLength(2);
      },
      CLI_TIMEOUT,
    );

    it(
      'move takes the category and --parent by slug, --root makes it top-level, and a same-named sibling is refused',
      async () => {
        const office = await createCategory(['Office']);
        const paper = await createCategory(['Paper']);
        await createCategory(['Paper', '--parent', office.id]);

        const clash = await cli(['categories', 'move', 'paper', '--parent', 'office']);
        expect(clash.code).toBe(1);
        expect(clash.stderr).toContain('already exists under "Office" (office) (duplicate_name)');
        expect((await categoryTree()).find((category) => category.id === paper.id)?.parentId).toBeNull();

        const stationery = await createCategory(['Stationery']);
        const moved = await cli(['categories', 'move', 'paper', '--parent', 'stationery', '--json']);
        expect(moved.code, moved.stderr).toBe(0);
        expect(parseJson<CategoryJson>(moved)).toMatchObject({ id: paper.id, parentId: stationery.id, depth: 1 });

        const back = await cli(['categories', 'move', 'paper', '--root', '--position', '7', '--json']);
        expect(back.code, back.stderr).toBe(0);
        expect(parseJson<CategoryJson>(back)).toMatchObject({ id: paper.id, parentId: null, depth: 0, position: 7 });
      },
      CLI_TIMEOUT,
    );

    it(
      'delete removes an empty category by slug or id; one with subcategories exits 1 with category_not_empty',
      async () => {
        const pets = await createCategory(['Pets']);
        const dogs = await createCategory(['Dogs', '--parent', pets.id]);

        const notEmpty = await cli(['categories', 'delete', 'pets']);
        expect(notEmpty.code).toBe(1);
        expect(notEmpty.stderr).toMatch(
          apiError('The category still has subcategories or products\\.', 'category_not_empty'),
        );

        const bySlug = await cli(['categories', 'delete', 'dogs']);
        expect(bySlug.code, bySlug.stderr).toBe(0);
        expect(bySlug.stdout).toBe(`Deleted category "Dogs" (dogs, ${dogs.id}).\n`);

        const byId = await cli(['categories', 'delete', pets.id, '--json']);
        expect(byId.code, byId.stderr).toBe(0);
        expect(parseJson(byId)).toEqual({ id: pets.id, deleted: true });
        const ids = (await categoryTree()).map((category) => category.id);
        expect(ids).not.toContain(pets.id);
        expect(ids).not.toContain(dogs.id);
      },
      CLI_TIMEOUT,
    );

    it(
      'an unknown slug exits 1 with not_found; an unknown id gets the API not_found',
      async () => {
        const slug = await cli(['categories', 'delete', 'no-such-category']);
        expect(slug.code).toBe(1);
        expect(slug.stderr).toMatch(/^error: no category has the slug "no-such-category" \(not_found\)$/m);

        const id = await cli(['categories', 'rename', UNKNOWN_ID, 'Anything']);
        expect(id.code).toBe(1);
        expect(id.stderr).toMatch(/^error: .*\(not_found, request [^)]+\)$/m);
      },
      CLI_TIMEOUT,
    );

    it(
      'a category that is neither an id nor a slug is a usage error (exit 2)',
      async () => {
        for (const args of [
          ['categories', 'delete', 'Not A Slug'],
          ['categories', 'rename', 'UPPER', 'Name'],
          ['categories', 'move', 'ok-slug', '--parent', 'bad slug'],
          ['categories', 'create', 'Thing', '--parent', 'Thing!'],
        ]) {
          const run = await cli(args);
          expect(run.code, args.join(' ')).toBe(2);
        }
      },
      CLI_TIMEOUT,
    );
  });

  describe('products', () => {
    let vendor: SignedInUser;
    let otherVendor: SignedInUser;
    let categoryId: string;
    let skus = 0;

    /**
     * A vendor's product made through the SDK, one variant per price (several need an option to tell them apart);
     * submitted for review unless `submit` is false; made by `vendor` unless `by` says otherwise.
     */
    const vendorProduct = async (
      name: string,
      prices: number[],
      { submit = true, by = vendor }: { submit?: boolean; by?: SignedInUser } = {},
    ): Promise<string> => {
      const client = server.clientFor(by.accessToken);
      const sizes = prices.map((_, index) => `size-${index + 1}`);
      const options = prices.length > 1 ? [{ name: 'size', values: sizes }] : [];
      const variants = prices.map((amount, index) => ({
        sku: `SKU-${++skus}`,
        ...(prices.length > 1 ? { options: { size: sizes[index]! } } : {}),
        price: { amount, currency: 'USD' },
        stock: 5,
      }));
      const created = await createProduct({ client, body: { name, categoryId, options, variants } });
      if (!created.data) throw new Error(`createProduct failed: ${JSON.stringify(created.error)}`);
      if (submit) {
        const submitted = await submitProduct({ client, path: { id: created.data.id } });
        if (!submitted.data) throw new Error(`submitProduct failed: ${JSON.stringify(submitted.error)}`);
      }
      return created.data.id;
    };
    const pendingIds = async (): Promise<string[]> => {
      const run = await cli(['products', 'pending', '--all', '--json']);
      expect(run.code, run.stderr).toBe(0);
      return parseJson<ProductPage>(run).data.map((product) => product.id);
    };

    beforeAll(async () => {
      vendor = await makeUser(server, 'vendor');
      otherVendor = await makeUser(server, 'vendor');
      for (const [user, fullName] of [
        [vendor, 'Vera Vendor'],
        [otherVendor, 'Otto Other'],
      ] as const) {
        const renamed = await updateProfile({ client: server.clientFor(user.accessToken), body: { fullName } });
        if (!renamed.data) throw new Error(`updateProfile failed: ${JSON.stringify(renamed.error)}`);
      }
      categoryId = (await createCategory(['Review Shelf'])).id;
    }, CLI_TIMEOUT);

    it(
      "pending lists a submitted product with its vendor's name and price range, but not a draft",
      async () => {
        const lamp = await vendorProduct('Desk Lamp', [1999, 1250]);
        const stool = await vendorProduct('Draft Stool', [500], { submit: false });

        const run = await cli(['products', 'pending']);
        expect(run.code, run.stderr).toBe(0);
        const [header, ...rows] = lines(run);
        expect(header).toMatch(/^ID\s+NAME\s+VENDOR\s+PRICE\s+SUBMITTED$/);
        expect(rows).toContainEqual(
          expect.stringMatching(
            new RegExp(`^${lamp}\\s+Desk Lamp\\s+Vera Vendor\\s+12\\.50-19\\.99 USD\\s+\\d{4}-\\d{2}-\\d{2}$`),
          ),
        );
        expect(rows.some((row) => row.includes(stool))).toBe(false);

        const drafts = await cli(['products', 'pending', '--status', 'draft', '--json']);
        expect(drafts.code, drafts.stderr).toBe(0);
        const page = parseJson<ProductPage>(drafts);
        expect(page.data.map((product) => product.id)).toEqual([stool]);
        expect(page.data[0]).toMatchObject({ status: 'draft', priceRange: { min: { amount: 500, currency: 'USD' } } });
      },
      CLI_TIMEOUT,
    );

    it(
      'pending looks each vendor up once however many of their products are listed, and --json looks none up',
      async () => {
        const [kettle, toaster, blender] = [
          await vendorProduct('Kettle', [2900]),
          await vendorProduct('Toaster', [3900]),
          await vendorProduct('Blender', [5900], { by: otherVendor }),
        ];
        const proxy = await startRequestLogProxy(server.baseUrl);
        try {
          const viaProxy = (args: string[]) => runCli(['--url', proxy.baseUrl, ...args], { configHome });
          const userLookups = () => proxy.requests.filter((line) => line.startsWith('GET /api/admin/users/'));

          const json = await viaProxy(['products', 'pending', '--all', '--json']);
          expect(json.code, json.stderr).toBe(0);
          expect(userLookups()).toEqual([]);
          const vendorIds = new Set(parseJson<ProductPage>(json).data.map((product) => product.vendorId));
          expect(vendorIds).toEqual(new Set([vendor.id, otherVendor.id]));

          const table = await viaProxy(['products', 'pending', '--all']);
          expect(table.code, table.stderr).toBe(0);
          const row = (id: string) => lines(table).find((line) => line.startsWith(id));
          expect(row(kettle)).toMatch(/^\S+\s+Kettle\s+Vera Vendor\s+29\.00 USD\s/);
          expect(row(toaster)).toMatch(/^\S+\s+Toaster\s+Vera Vendor\s/);
          expect(row(blender)).toMatch(/^\S+\s+Blender\s+Otto Other\s/);
          expect(userLookups().sort()).toEqual([...vendorIds].map((id) => `GET /api/admin/users/${id}`).sort());
        } finally {
          await proxy.close();
        }
      },
      CLI_TIMEOUT,
    );

    it(
      'approve shows the vendor by name and email next to their id',
      async () => {
        const bowl = await vendorProduct('Fruit Bowl', [1500], { by: otherVendor });
        const run = await cli(['products', 'approve', bowl]);
        expect(run.code, run.stderr).toBe(0);
        expect(run.stdout).toMatch(
          new RegExp(
            `^Vendor\\s+Otto Other <${otherVendor.email.replaceAll('.', '\\.')}> \\(${otherVendor.id}\\)$`,
            'm',
          ),
        );
      },
      CLI_TIMEOUT,
    );

    it(
      'pending --limit pages through the queue; --all follows every cursor',
      async () => {
        const first = await vendorProduct('Wall Clock', [3000]);
        const second = await vendorProduct('Floor Rug', [8000]);

        const onePage = await cli(['products', 'pending', '--limit', '1', '--json']);
        expect(onePage.code, onePage.stderr).toBe(0);
        const page = parseJson<ProductPage>(onePage);
        expect(page.data).toHaveLength(1);
        expect(page.nextCursor).toEqual(expect.any(String));

        const next = await cli(['products', 'pending', '--limit', '1', '--cursor', page.nextCursor!, '--json']);
        expect(next.code, next.stderr).toBe(0);
        expect(parseJson<ProductPage>(next).data[0]?.id).not.toBe(page.data[0]?.id);

        const table = await cli(['products', 'pending', '--limit', '1']);
        expect(table.stderr).toMatch(/^More products: add --all, or --cursor \S+$/m);

        const all = await cli(['products', 'pending', '--limit', '1', '--all', '--json']);
        const everything = parseJson<ProductPage>(all);
        expect(everything.nextCursor).toBeNull();
        const ids = everything.data.map((product) => product.id);
        expect(ids).toEqual(expect.arrayContaining([first, second]));
        expect(new Set(ids).size).toBe(ids.length);
      },
      CLI_TIMEOUT,
    );

    it(
      'approve publishes the product, which the public getProduct then answers',
      async () => {
        const shelf = await vendorProduct('Oak Shelf', [4500]);
        expect((await getProduct({ client: server.client, path: { id: shelf } })).response?.status).toBe(404);

        const run = await cli(['products', 'approve', shelf, '--json']);
        expect(run.code, run.stderr).toBe(0);
        expect(parseJson<ProductJson>(run)).toMatchObject({
          id: shelf,
          status: 'published',
          publishedAt: expect.any(String),
        });

        const published = await getProduct({ client: server.client, path: { id: shelf } });
        expect(published.response?.status).toBe(200);
        expect(published.data).toMatchObject({ id: shelf, name: 'Oak Shelf', status: 'published' });
        expect(await pendingIds()).not.toContain(shelf);
      },
      CLI_TIMEOUT,
    );

    it(
      'approving twice exits 1 with invalid_status_transition',
      async () => {
        const vase = await vendorProduct('Glass Vase', [2500]);
        const first = await cli(['products', 'approve', vase]);
        expect(first.code, first.stderr).toBe(0);
        expect(first.stdout).toMatch(/^Status\s+published$/m);

        const again = await cli(['products', 'approve', vase]);
        expect(again.code).toBe(1);
        expect(again.stderr).toMatch(
          apiError('A published product cannot become published\\.', 'invalid_status_transition'),
        );
        expect(again.stdout).toBe('');
      },
      CLI_TIMEOUT,
    );

    it(
      'reject sends the product back to its vendor, who sees the reason',
      async () => {
        const chair = await vendorProduct('Wobbly Chair', [7000]);
        const run = await cli(['products', 'reject', chair, '--reason', 'The photos show a different chair.']);
        expect(run.code, run.stderr).toBe(0);
        expect(run.stdout).toMatch(/^Status\s+rejected$/m);
        expect(run.stdout).toMatch(/^Rejection reason\s+The photos show a different chair\.$/m);

        const mine = await getMyProduct({ client: server.clientFor(vendor.accessToken), path: { id: chair } });
        expect(mine.data).toMatchObject({ status: 'rejected', rejectionReason: 'The photos show a different chair.' });
        expect(await pendingIds()).not.toContain(chair);
      },
      CLI_TIMEOUT,
    );

    it(
      'reject without a --reason is a usage error (exit 2) and leaves the product pending',
      async () => {
        const mirror = await vendorProduct('Round Mirror', [5500]);
        const missing = await cli(['products', 'reject', mirror]);
        expect(missing.code).toBe(2);
        expect(missing.stderr).toContain("required option '--reason <text>' not specified");

        const blank = await cli(['products', 'reject', mirror, '--reason', '  ']);
        expect(blank.code).toBe(2);
        expect(await pendingIds()).toContain(mirror);
      },
      CLI_TIMEOUT,
    );

    it(
      'approve of an unknown product exits 1 with not_found',
      async () => {
        const run = await cli(['products', 'approve', UNKNOWN_ID]);
        expect(run.code).toBe(1);
        expect(run.stderr).toMatch(/^error: .*\(not_found, request [^)]+\)$/m);
      },
      CLI_TIMEOUT,
    );

    it(
      'a malformed product id is a usage error (exit 2) caught before any request',
      async () => {
        for (const args of [
          ['products', 'approve', 'abc'],
          ['products', 'reject', '01968f0e-7d3a', '--reason', 'Blurry photos.'],
        ]) {
          const run = await cli(args);
          expect(run.code, args.join(' ')).toBe(2);
          expect(run.stderr).toContain('Not an id: ids are UUIDs');
          expect(run.stdout).toBe('');
        }
      },
      CLI_TIMEOUT,
    );

    it(
      'pending exits 1 with forbidden for a vendor',
      async () => {
        const login = await cli(['--profile', 'vendor', 'login', '--email', vendor.email], {
          env: { EMPORIUM_PASSWORD: vendor.password },
        });
        expect(login.code, login.stderr).toBe(0);

        const run = await cli(['--profile', 'vendor', 'products', 'pending']);
        expect(run.code).toBe(1);
        expect(run.stderr).toMatch(/^error: .*\(forbidden, request [^)]+\)$/m);
      },
      CLI_TIMEOUT,
    );
  });
});
