// Stripe.js, loaded from the configured address (localstripe's locally), only on the pledge page.
import { config } from './config';

export interface StripeResult { error?: { message?: string; code?: string } | null; setupIntent?: { payment_method: string | { id: string } }; paymentIntent?: { status: string } }
export interface CardElement { mount(el: HTMLElement): void; destroy(): void }
export interface StripeJs {
  elements(): { create(type: 'card', options?: object): CardElement };
  confirmCardSetup(secret: string, data: { payment_method: { card: CardElement } }): Promise<StripeResult>;
  confirmCardPayment(secret: string): Promise<StripeResult>;
}

let loading: Promise<void> | null = null;

export function loadStripe(publishableKey: string): Promise<StripeJs> {
  loading ??= new Promise<void>((resolve, reject) => {
    const script = document.createElement('script');
    script.src = config.stripe_js;
    script.onload = () => resolve();
    script.onerror = () => { loading = null; reject(new Error('Stripe.js')); };
    document.head.appendChild(script);
  });
  return loading.then(() => (window as unknown as { Stripe: (key: string) => StripeJs }).Stripe(publishableKey));
}

export function paymentMethodId(result: StripeResult): string | null {
  const pm = result.setupIntent?.payment_method;
  return typeof pm === 'string' ? pm : pm?.id ?? null;
}
