/**
 * Thin routers for payments: the buyer's Stripe and PayPal calls, the providers' webhooks, admins' ledger and refunds,
 * earnings.
 */
import { contract } from '@emporium/contract';
import { initServer } from '@ts-rest/express';
import { authenticatedCtxFrom, ctxFrom } from '../../platform/context';
import type { Deps } from '../../platform/deps';
import { requiredIdempotencyKey } from '../../platform/idempotency';
import { rawBodyOf } from '../../platform/request-hygiene';
import { registerReconciliationGauges } from './payments.metrics';
import { listReconciliations } from './reconciliation';
import { capturePaypalOrder, createPaypalOrder, receivePaypalEvent } from './paypal.service';
import { adminRefund } from './refunds.service';
import * as reports from './reports.service';
import { confirmPayment, createPaymentIntent, receiveStripeEvent } from './stripe.service';

const s = initServer();
const api = contract.api;

export function createPaymentsRouters(deps: Deps) {
  registerReconciliationGauges(deps);
  const payments = s.router(api.payments, {
    createPaymentIntent: async ({ req, body }) => ({
      status: 200,
      body: await createPaymentIntent(authenticatedCtxFrom(deps, req), body.orderId),
    }),
    confirmPayment: async ({ req, body }) => ({
      status: 200,
      body: await confirmPayment(authenticatedCtxFrom(deps, req), body.orderId),
    }),
    createPaypalOrder: async ({ req, body }) => ({
      status: 200,
      body: await createPaypalOrder(authenticatedCtxFrom(deps, req), body.orderId),
    }),
    capturePaypalOrder: async ({ req, body }) => ({
      status: 200,
      body: await capturePaypalOrder(authenticatedCtxFrom(deps, req), body.orderId),
    }),
  });

  const webhooks = s.router(api.webhooks, {
    receiveStripeEvent: async ({ req, headers }) => ({
      status: 200,
      body: await receiveStripeEvent(ctxFrom(deps, req), rawBodyOf(req), headers['stripe-signature']),
    }),
    receivePaypalEvent: async ({ req, headers, body }) => ({
      status: 200,
      body: await receivePaypalEvent(ctxFrom(deps, req), rawBodyOf(req), body, {
        id: headers['paypal-transmission-id'],
        time: headers['paypal-transmission-time'],
        signature: headers['paypal-transmission-sig'],
        certUrl: headers['paypal-cert-url'],
        authAlgo: headers['paypal-auth-algo'],
      }),
    }),
  });

  const adminPayments = s.router(api.adminPayments, {
    listPayments: async ({ req, query }) => ({
      status: 200,
      body: await reports.listPayments(authenticatedCtxFrom(deps, req), query),
    }),
    listReconciliations: async ({ req, query }) => ({
      status: 200,
      body: await listReconciliations(authenticatedCtxFrom(deps, req), query),
    }),
    getOrderPayments: async ({ req, params }) => ({
      status: 200,
      body: await reports.getOrderPayments(authenticatedCtxFrom(deps, req), params.id),
    }),
    refundOrder: async ({ req, params, body }) => {
      requiredIdempotencyKey(req);
      return { status: 201, body: await adminRefund(authenticatedCtxFrom(deps, req), params.id, body) };
    },
    listVendorBalances: async ({ req, query }) => ({
      status: 200,
      body: await reports.listVendorBalances(authenticatedCtxFrom(deps, req), query),
    }),
    setVendorCommission: async ({ req, params, body }) => ({
      status: 200,
      body: await reports.setVendorCommission(authenticatedCtxFrom(deps, req), params.id, body.rateBps),
    }),
  });

  const vendorEarnings = s.router(api.vendorEarnings, {
    getMyEarnings: async ({ req, query }) => ({
      status: 200,
      body: await reports.getMyEarnings(authenticatedCtxFrom(deps, req), query),
    }),
  });

  return { payments, webhooks, adminPayments, vendorEarnings };
}
