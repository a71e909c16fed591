/**
 * Payments' tables (see the payments migration): provider sessions, the append-only ledger, provider event ids,
 * refunds, commission rates and vendors' earnings entries. Writes that must happen once (ledger rows, earnings) are
 * `insert ... on conflict do nothing` statements in ledger.ts; the entities serve reads and the simple writes.
 */
import { defineEntity, p } from '@mikro-orm/core';
import { LEDGER_KINDS, PAYMENT_PROVIDERS, type ReconciliationDifference } from '@emporium/contract';
import type { z } from 'zod';
import { createdAtColumn, idColumn, updatedAtColumn } from '../../platform/columns';

export const PaymentSchema = defineEntity({
  name: 'Payment',
  tableName: 'payments',
  properties: {
    id: idColumn(),
    orderId: p.uuid(),
    provider: p.enum(PAYMENT_PROVIDERS),
    /** The provider's id of the session: a Stripe PaymentIntent or a PayPal order. */
    providerRef: p.string().length(100),
    attempt: p.integer(),
    amount: p.integer(),
    currency: p.string().length(3),
    /** The provider's last known status (`requires_payment_method`, `succeeded`, `APPROVED`, `COMPLETED`, ...). */
    status: p.string().length(40),
    createdAt: createdAtColumn(),
    updatedAt: updatedAtColumn(),
  },
});
export class Payment extends PaymentSchema.class {}
PaymentSchema.setClass(Payment);

export const PaymentTransactionSchema = defineEntity({
  name: 'PaymentTransaction',
  tableName: 'payment_transactions',
  properties: {
    id: idColumn(),
    orderId: p.uuid(),
    kind: p.enum(LEDGER_KINDS),
    provider: p.enum(PAYMENT_PROVIDERS),
    providerRef: p.string().length(100),
    amount: p.integer(),
    currency: p.string().length(3),
    createdAt: createdAtColumn(),
  },
});
export class PaymentTransaction extends PaymentTransactionSchema.class {}
PaymentTransactionSchema.setClass(PaymentTransaction);

export const REFUND_STATUSES = ['pending', 'succeeded', 'failed'] as const;

export const RefundSchema = defineEntity({
  name: 'Refund',
  tableName: 'refunds',
  properties: {
    id: idColumn(),
    orderId: p.uuid(),
    provider: p.enum(PAYMENT_PROVIDERS),
    /** The capture it refunds (a PaymentIntent id, a PayPal capture id), and then the provider's refund id. */
    captureRef: p.string().length(100),
    providerRef: p.string().length(100).nullable(),
    amount: p.integer(),
    currency: p.string().length(3),
    reason: p.string().length(500),
    status: p.enum(REFUND_STATUSES),
    restock: p.boolean(),
    requestedBy: p.uuid().nullable(),
    createdAt: createdAtColumn(),
    updatedAt: updatedAtColumn(),
  },
});
export class Refund extends RefundSchema.class {}
RefundSchema.setClass(Refund);

export const CommissionRateSchema = defineEntity({
  name: 'CommissionRate',
  tableName: 'commission_rates',
  properties: {
    vendorId: p.uuid().primary(),
    rateBps: p.integer(),
    updatedAt: updatedAtColumn(),
  },
});
export class CommissionRate extends CommissionRateSchema.class {}
CommissionRateSchema.setClass(CommissionRate);

export const VendorEarningSchema = defineEntity({
  name: 'VendorEarning',
  tableName: 'vendor_earnings',
  properties: {
    id: idColumn(),
    vendorId: p.uuid(),
    orderId: p.uuid(),
    partId: p.uuid(),
    kind: p.enum(['sale', 'refund'] as const),
    /** What it comes from: the order (a sale) or the provider's refund id. */
    sourceRef: p.string().length(100),
    gross: p.integer(),
    commission: p.integer(),
    net: p.integer(),
    currency: p.string().length(3),
    createdAt: createdAtColumn(),
  },
});
export class VendorEarning extends VendorEarningSchema.class {}
VendorEarningSchema.setClass(VendorEarning);

export const ReconciliationRunSchema = defineEntity({
  name: 'ReconciliationRun',
  tableName: 'reconciliation_runs',
  properties: {
    id: idColumn(),
    provider: p.enum(PAYMENT_PROVIDERS),
    startedAt: p.datetime(),
    finishedAt: p.datetime(),
    windowDays: p.integer(),
    checked: p.integer(),
    differences: p.json<z.infer<typeof ReconciliationDifference>[]>(),
  },
});
export class ReconciliationRun extends ReconciliationRunSchema.class {}
ReconciliationRunSchema.setClass(ReconciliationRun);

export const paymentsEntities = [Payment, PaymentTransaction, Refund, CommissionRate, VendorEarning, ReconciliationRun];
