/**
 * How an interaction's history record is filed in the store's customer journeys: a key that
 * sorts a customer's interactions newest first in lexical order (`customer\0inverted arrival\0id`;
 * the customer empty when it has none).
 */
export function journeyMember(customerId: string, arrival: number, interactionId: string): string {
  return `${customerId}\u0000${String(9_999_999_999_999 - arrival).padStart(13, '0')}\u0000${interactionId}`;
}
