/** The order mails: confirmation, payment received, shipped with tracking, cancelled. */
import { formatMoney } from '@emporium/contract';
import type { Mail } from '../../platform/mail';

export interface OrderMailFacts {
  template: 'order_confirmation' | 'payment_received' | 'order_shipped' | 'order_cancelled';
  to: string;
  fullName: string;
  number: string;
  total: number;
  currency: string;
  paymentDeadline: Date | null;
  carrier: string | null;
  trackingNumber: string | null;
}

export function renderOrderMail(facts: OrderMailFacts, publicUrl: string): Mail {
  const link = `${publicUrl}/orders`;
  const hello = `Hello ${facts.fullName},\n\n`;
  switch (facts.template) {
    case 'order_confirmation':
      return {
        to: facts.to,
        subject: `Your Emporium order ${facts.number}`,
        text: `${hello}Thank you for your order ${facts.number} (${formatMoney(facts.total, facts.currency)}).${
          facts.paymentDeadline ? ` Please pay by ${facts.paymentDeadline.toISOString()}, or it will be cancelled.` : ''
        }\n\nYour orders: ${link}`,
      };
    case 'payment_received':
      return {
        to: facts.to,
        subject: `Payment received for ${facts.number}`,
        text: `${hello}We received your payment for order ${facts.number}. The vendors are preparing it.\n\n${link}`,
      };
    case 'order_shipped':
      return {
        to: facts.to,
        subject: `Order ${facts.number} has shipped`,
        text: `${hello}A package of order ${facts.number} is on its way${facts.carrier ? ` with ${facts.carrier}` : ''}. Tracking number: ${facts.trackingNumber ?? 'n/a'}.\n\n${link}`,
      };
    case 'order_cancelled':
      return {
        to: facts.to,
        subject: `Order ${facts.number} was cancelled`,
        text: `${hello}Order ${facts.number} was cancelled.\n\n${link}`,
      };
  }
}
