import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError, setCsrfToken } from '../api/client.ts';
import { authApi } from '../api/endpoints.ts';
import type { Me } from '../api/types.ts';

export const ME_QUERY_KEY = ['me'] as const;

interface Session {
  /** undefined while loading; null when nobody is signed in. */
  me: Me | null | undefined;
  login(email: string, password: string): Promise<Me>;
  logout(): Promise<void>;
  /** Forget the session locally without calling the server; `expired` when the server ended it (a 401). */
  forget(options?: { expired?: boolean }): void;
  /** The last session ended by the server rather than by signing out: the login page says so. */
  expired: boolean;
  can(permission: string): boolean;
  /** /me failed for another reason than 401 (server down): the app shows an error with a retry. */
  failed: boolean;
  reload(): void;
}

const SessionContext = createContext<Session | null>(null);

async function loadMe(): Promise<Me | null> {
  try {
    const me = await authApi.me();
    setCsrfToken(me.csrfToken);
    return me;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      setCsrfToken(null);
      return null;
    }
    throw error;
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const meQuery = useQuery({ queryKey: ME_QUERY_KEY, queryFn: loadMe, retry: false, staleTime: 60_000 });
  const me = meQuery.data;
  const [expired, setExpired] = useState(false);

  useEffect(() => {
    if (me !== undefined && me !== null) setCsrfToken(me.csrfToken);
  }, [me]);

  const forget = useCallback((options?: { expired?: boolean }) => {
    setExpired(options?.expired === true);
    setCsrfToken(null);
    queryClient.setQueryData(ME_QUERY_KEY, null);
    queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== ME_QUERY_KEY[0] });
  }, [queryClient]);

  const login = useCallback(
    async (email: string, password: string) => {
      const answer = await authApi.login(email, password);
      setCsrfToken(answer.csrfToken);
      // Nothing cached for a previous user may show through.
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== ME_QUERY_KEY[0] });
      const fresh = await loadMe();
      if (fresh === null) throw new ApiError(401, 'AUTH_REQUIRED', 'session not established', undefined, undefined, undefined);
      queryClient.setQueryData(ME_QUERY_KEY, fresh);
      setExpired(false);
      return fresh;
    },
    [queryClient],
  );

  const logout = useCallback(async () => {
    try {
      await authApi.logout();
    } finally {
      forget();
    }
  }, [forget]);

  const value = useMemo<Session>(() => {
    const permissions = new Set(me?.permissions ?? []);
    return {
      me,
      login,
      logout,
      forget,
      expired,
      can: (permission) => permissions.has(permission),
      failed: meQuery.isError,
      reload: () => void meQuery.refetch(),
    };
  }, [me, login, logout, forget, expired, meQuery.isError, meQuery.refetch]);

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === null) throw new Error('useSession outside SessionProvider');
  return session;
}
