/** Signs a test token synchronously (`token()` is called inline in tests): the platform's own HS256 signer. */
export { signHs256Token as signHs256TestToken } from '@as2-partners/platform';
