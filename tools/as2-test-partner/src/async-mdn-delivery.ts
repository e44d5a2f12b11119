/** Where and how an asynchronous MDN went; logged with the message it answers. */
export interface AsyncMdnDelivery {
  url: string;
  httpStatus?: number;
  error?: string;
}

const deliveryTimeoutMs = 30_000;

/** POSTs an MDN to the sender's Receipt-Delivery-Option URL (http or https only). */
export async function deliverAsyncMdn(url: string, headers: Record<string, string>, body: Buffer, signal: AbortSignal): Promise<AsyncMdnDelivery> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return { url, error: 'Receipt-Delivery-Option is not a URL' };
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    return { url, error: `Receipt-Delivery-Option scheme ${target.protocol} is not supported; only http and https` };
  }
  try {
    const response = await fetch(target, {
      method: 'POST',
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.any([signal, AbortSignal.timeout(deliveryTimeoutMs)]),
    });
    await response.arrayBuffer();
    return response.ok ? { url, httpStatus: response.status } : { url, httpStatus: response.status, error: `the MDN receiver answered HTTP ${response.status}` };
  } catch (error) {
    return { url, error: (error as Error).message };
  }
}
