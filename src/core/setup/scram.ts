/**
 * Client-side PostgreSQL SCRAM-SHA-256 password verifiers (RFC 5802 / RFC 7677), in the exact form
 * PostgreSQL stores in pg_authid.rolpassword. Why: we send `CREATE/ALTER ROLE … PASSWORD '<verifier>'`
 * so the plaintext one-time password never reaches the server, its statement log or pg_stat_statements
 * (the same thing psql's \password does).
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

export function scramVerifier(password: string, opts: { iterations?: number; salt?: Buffer } = {}): string {
  const iterations = opts.iterations ?? 4096; // PostgreSQL's default scram_iterations
  const salt = opts.salt ?? randomBytes(16);
  // SASLprep (RFC 4013) only as far as NFKC normalisation; PostgreSQL's full pg_saslprep also maps/rejects some code points.
  const salted = pbkdf2Sync(Buffer.from(password.normalize('NFKC'), 'utf8'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** 24 random base64url characters (18 bytes = 144 bits), safe in URLs and SQL literals without escaping. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
