import { Migration } from '@mikro-orm/migrations';

/**
 * A cart holds at most 100 lines (MAX_CART_LINES in the contract), enforced where lines are added, so that an add
 * needs no transaction around its read and its write: every insert into a cart (an upsert's too) first locks and
 * touches its cart (the row lock queues the adds to one cart; `updated_at` is the cart's last change), and a new line
 * is then counted with a fresh snapshot that sees every committed line. Past the limit the insert fails with
 * `cart_lines_limit` (23514), which the API answers with 409 `cart_full`. Locking the cart before the line's own row
 * also keeps the order every cart write takes its locks in: cart, then lines.
 *
 * The cart's time is taken once the lock is held and never goes back (`now()` is the statement's start, before any
 * wait), and the line gets the same time, which an upsert's `excluded.updated_at` carries to an existing line. A cart
 * gone since the caller read it (a guest cart merged or expired) fails with `cart_lines_cart_gone` (404).
 */
export class Migration20261203000000_cart_lines_limit extends Migration {
  override up(): void {
    this.addSql(`
      create function cart_lines_guard() returns trigger language plpgsql as $$
      begin
        update carts set updated_at = greatest(updated_at, clock_timestamp()) where id = new.cart_id
          returning updated_at into new.updated_at;
        if not found then
          raise exception 'the cart is gone' using errcode = 'foreign_key_violation', constraint = 'cart_lines_cart_gone';
        end if;
        if not exists (select 1 from cart_lines where cart_id = new.cart_id and variant_id = new.variant_id)
           and (select count(*) from cart_lines where cart_id = new.cart_id) >= 100 then
          raise exception 'a cart holds at most 100 lines'
            using errcode = 'check_violation', constraint = 'cart_lines_limit';
        end if;
        return new;
      end $$;`);
    this.addSql(`
      create trigger cart_lines_guard before insert on cart_lines
        for each row execute function cart_lines_guard();`);
  }

  override down(): void {
    this.addSql('drop trigger cart_lines_guard on cart_lines;');
    this.addSql('drop function cart_lines_guard();');
  }
}
