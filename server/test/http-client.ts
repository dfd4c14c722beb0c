// A small HTTP client for tests that behaves like the browser app: keeps the session cookie and sends the CSRF
// token on writes.
export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export class TestClient {
  cookie: string | undefined;
  csrfToken: string | undefined;
  bearer: string | undefined;

  constructor(readonly baseUrl: string) {}

  static async login(baseUrl: string, email: string, password: string): Promise<TestClient> {
    const client = new TestClient(baseUrl);
    const reply = await client.post('/api/v1/auth/login', { email, password });
    if (reply.status !== 200) throw new Error(`login as ${email} failed: ${reply.status} ${JSON.stringify(reply.body)}`);
    return client;
  }

  static withApiKey(baseUrl: string, key: string): TestClient {
    const client = new TestClient(baseUrl);
    client.bearer = key;
    return client;
  }

  async request<T = any>(method: string, url: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...extraHeaders };
    if (body !== undefined && typeof body !== 'string') headers['content-type'] = 'application/json';
    if (typeof body === 'string') headers['content-type'] ??= 'application/json';
    if (this.cookie) headers.cookie = this.cookie;
    if (this.csrfToken && method !== 'GET' && !('x-csrf-token' in extraHeaders)) headers['x-csrf-token'] = this.csrfToken;
    if (this.bearer) headers.authorization = `Bearer ${this.bearer}`;
    const response = await fetch(this.baseUrl + url, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie?.startsWith('kefu_session=')) this.cookie = setCookie.split(';')[0];
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    if (parsed && typeof parsed === 'object' && 'csrfToken' in parsed && typeof (parsed as { csrfToken: unknown }).csrfToken === 'string') {
      this.csrfToken = (parsed as { csrfToken: string }).csrfToken;
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  }

  get<T = any>(url: string): Promise<Reply<T>> {
    return this.request<T>('GET', url);
  }
  post<T = any>(url: string, body?: unknown, headers?: Record<string, string>): Promise<Reply<T>> {
    return this.request<T>('POST', url, body, headers);
  }
  patch<T = any>(url: string, body?: unknown): Promise<Reply<T>> {
    return this.request<T>('PATCH', url, body);
  }
  delete<T = any>(url: string): Promise<Reply<T>> {
    return this.request<T>('DELETE', url);
  }
}
