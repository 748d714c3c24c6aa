/** Types for @digitalbazaar/base45 (ships without them): strict RFC 9285 codec. */
declare module '@digitalbazaar/base45' {
  export function encode(input: Uint8Array): string;
  /** Throws RangeError on a character outside the alphabet, a length ≡ 1 (mod 3) or a value over range. */
  export function decode(input: string): Uint8Array;
}
