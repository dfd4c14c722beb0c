/** Typed errors of the media engine; edges map `code` to protocol responses. */
export type MediaErrorCode =
  | 'MEDIA_NO_PORT'
  | 'MEDIA_SDP_INVALID'
  | 'MEDIA_SDP_NO_COMMON_CODEC'
  | 'MEDIA_ENDPOINT_NOT_FOUND'
  | 'MEDIA_ENDPOINT_CLOSED'
  | 'MEDIA_WAV_UNSUPPORTED'
  | 'MEDIA_RTP_MALFORMED'
  | 'MEDIA_RTCP_MALFORMED'
  | 'MEDIA_NOT_FOUND'
  | 'MEDIA_INVALID_ARGUMENT'
  | 'MEDIA_WORKER_FAILED'
  | 'MEDIA_TIMEOUT';

export class MediaError extends Error {
  override readonly name = 'MediaError';
  constructor(
    readonly code: MediaErrorCode,
    message: string,
    readonly retryable = false,
  ) {
    super(message);
  }
}
