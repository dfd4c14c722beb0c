import { decodeAlaw, decodeUlaw, encodeAlaw, encodeUlaw, ALAW_SILENCE, ULAW_SILENCE, alawToUlaw, ulawToAlaw } from './g711.ts';

export type CodecName = 'PCMU' | 'PCMA';

export interface AudioCodec {
  readonly name: CodecName;
  /** RFC 3551 §6 static payload type. */
  readonly staticPayloadType: number;
  readonly clockRate: 8000;
  encode(pcm: Int16Array, out?: Uint8Array): Uint8Array;
  decode(data: Uint8Array, out?: Int16Array): Int16Array;
  readonly silenceByte: number;
}

export const codecs = {
  PCMU: { name: 'PCMU', staticPayloadType: 0, clockRate: 8000, encode: encodeUlaw, decode: decodeUlaw, silenceByte: ULAW_SILENCE },
  PCMA: { name: 'PCMA', staticPayloadType: 8, clockRate: 8000, encode: encodeAlaw, decode: decodeAlaw, silenceByte: ALAW_SILENCE },
} as const satisfies Record<CodecName, AudioCodec>;

export function isCodecName(name: string): name is CodecName {
  return Object.hasOwn(codecs, name);
}

/** Byte-for-byte transcoder between two G.711 laws, or undefined when they match (plain relay). */
export function transcoderFor(from: CodecName, to: CodecName): ((data: Uint8Array) => Uint8Array) | undefined {
  if (from === to) return undefined;
  return from === 'PCMU' ? (d) => ulawToAlaw(d) : (d) => alawToUlaw(d);
}
