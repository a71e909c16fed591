/**
 * The auth helper: holds the access and refresh tokens, and lets a client refresh once when a call answers 401.
 * Refresh tokens rotate on every use and presenting a spent one revokes the whole session, so concurrent 401s must
 * share one refresh: the session keeps a single in-flight refresh and everyone waiting on it gets its result.
 */
export interface SessionTokens {
  accessToken: string;
  refreshToken: string;
}

export interface EmporiumSessionOptions {
  /** Tokens restored from storage, or the pair a `login` answered. */
  tokens?: SessionTokens | null;
  /**
   * Called whenever the tokens change: after `setTokens`, after each refresh (persist the new pair: the old refresh
   * token is spent), and with `null` when the session ends (`clear()`, or a refresh the server refused).
   */
  onTokensChange?: (tokens: SessionTokens | null) => void | Promise<void>;
}

/**
 * What the client's refresher reports: the new pair, `'rejected'` when the server refused the refresh token (the
 * session is over), or `'failed'` when it answered something else (rate limited, 5xx) and the tokens may still be good.
 * A refresher that throws (no answer) leaves the tokens as they are.
 */
export type RefreshOutcome = SessionTokens | 'rejected' | 'failed';

export class EmporiumSession {
  #tokens: SessionTokens | null;
  #inFlight: Promise<string | undefined> | undefined;
  readonly #onTokensChange: EmporiumSessionOptions['onTokensChange'];

  constructor(options: EmporiumSessionOptions = {}) {
    this.#tokens = options.tokens ? pairOf(options.tokens) : null;
    this.#onTokensChange = options.onTokensChange;
  }

  get tokens(): SessionTokens | null {
    return this.#tokens;
  }

  get accessToken(): string | undefined {
    return this.#tokens?.accessToken;
  }

  get refreshToken(): string | undefined {
    return this.#tokens?.refreshToken;
  }

  get isSignedIn(): boolean {
    return this.#tokens !== null;
  }

  /** Stores a pair (e.g. `login`'s answer; extra fields such as `user` are ignored). */
  async setTokens(tokens: SessionTokens): Promise<void> {
    this.#tokens = pairOf(tokens);
    await this.#onTokensChange?.(this.#tokens);
  }

  /** Forgets the tokens (after `logout`, or when the app signs the user out). */
  async clear(): Promise<void> {
    this.#tokens = null;
    await this.#onTokensChange?.(null);
  }

  /**
   * The access token to retry with after `rejectedAccessToken` was answered 401, or undefined when there is none
   * (no session, or the refresh failed). If the tokens already moved on since that request was sent, the current
   * token is answered without a refresh; otherwise one refresh runs, shared by every caller until it settles.
   */
  async renewAfter(rejectedAccessToken: string, refresher: (refreshToken: string) => Promise<RefreshOutcome>) {
    const current = this.#tokens;
    if (!current) return undefined;
    if (current.accessToken !== rejectedAccessToken) return current.accessToken;
    this.#inFlight ??= this.#refresh(current.refreshToken, refresher).finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #refresh(
    refreshToken: string,
    refresher: (refreshToken: string) => Promise<RefreshOutcome>,
  ): Promise<string | undefined> {
    const outcome = await refresher(refreshToken);
    // The app may have signed out or in while the refresh ran: do not resurrect or overwrite that.
    if (this.#tokens?.refreshToken !== refreshToken) return this.#tokens?.accessToken;
    if (outcome === 'failed') return undefined;
    if (outcome === 'rejected') {
      await this.clear();
      return undefined;
    }
    await this.setTokens(outcome);
    return outcome.accessToken;
  }
}

export function createEmporiumSession(options: EmporiumSessionOptions = {}): EmporiumSession {
  return new EmporiumSession(options);
}

function pairOf({ accessToken, refreshToken }: SessionTokens): SessionTokens {
  return { accessToken, refreshToken };
}
