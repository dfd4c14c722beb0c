/** The server's password rule (server/src/platform/http/schemas.ts): at least 10 characters. */
export const MIN_PASSWORD_LENGTH = 10;
