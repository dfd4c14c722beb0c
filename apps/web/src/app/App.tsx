import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider } from 'antd';
import enUS from 'antd/es/locale/en_US';
import zhCN from 'antd/es/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { lazy, Suspense, useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { ApiError, onUnauthorized } from '../api/client.ts';
import { SessionProvider, useSession } from '../auth/session.tsx';
import { currentLanguage } from '../i18n/i18n.ts';
import { LoginPage } from '../pages/login/LoginPage.tsx';
import { FullPageSpinner, ServerUnreachable } from './placeholders.tsx';
import { theme } from './theme.ts';

// Everything behind the login is loaded on demand, so that the login page stays small.
const AppFrame = lazy(() => import('../layout/AppFrame.tsx'));

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      retry: (failures, error) => !(error instanceof ApiError) && failures < 2,
      refetchOnWindowFocus: false,
    },
  },
});

export function App() {
  useTranslation(); // re-render on language change: antd and dayjs follow
  const language = currentLanguage();
  useEffect(() => {
    dayjs.locale(language === 'zh-CN' ? 'zh-cn' : 'en');
  }, [language]);
  return (
    <ConfigProvider locale={language === 'zh-CN' ? zhCN : enUS} theme={theme} button={{ autoInsertSpace: false }}>
      <AntApp>
        <QueryClientProvider client={queryClient}>
          <BrowserRouter>
            <SessionProvider>
              <SessionExpiry />
              <Routes>
                <Route path="/login" element={<LoginPage />} />
                <Route path="/*" element={<SignedIn />} />
              </Routes>
            </SessionProvider>
          </BrowserRouter>
        </QueryClientProvider>
      </AntApp>
    </ConfigProvider>
  );
}

/**
 * A 401 on a request of a signed-in session (expired, or ended by a password change elsewhere) forgets the session;
 * SignedIn then sends the person to the login page, which says why and returns them to where they were going.
 */
function SessionExpiry() {
  const { forget } = useSession();
  useEffect(() => onUnauthorized(() => forget({ expired: true })), [forget]);
  return null;
}

function SignedIn() {
  const { me, failed, reload } = useSession();
  const location = useLocation();
  if (failed) return <ServerUnreachable onRetry={reload} />;
  if (me === undefined) return <FullPageSpinner />;
  if (me === null) return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  return (
    <Suspense fallback={<FullPageSpinner />}>
      <AppFrame />
    </Suspense>
  );
}
