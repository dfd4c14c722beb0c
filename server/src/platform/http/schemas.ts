// Request schemas shared by route modules. Bodies are strict objects: an unknown field is a 400 that names it.
import { z } from 'zod';

export const idParams = z.object({ id: z.uuid({ message: 'must be a UUID' }) });

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
};

export const email = z.string().trim().max(254).pipe(z.email({ message: 'must be an email address' }));
export const password = z.string().min(10, 'must be at least 10 characters').max(200);
export const displayName = z.string().trim().min(1, 'must not be empty').max(120);
export const locale = z.enum(['zh-CN', 'en']);
