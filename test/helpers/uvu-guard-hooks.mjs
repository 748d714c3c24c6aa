// Module resolution hook (see uvu-guard-register.mjs): 'uvu' → uvu-guard.mjs, except for the guard itself.
const GUARD = new URL('./uvu-guard.mjs', import.meta.url).href;

export async function resolve(specifier, context, next) {
  if (specifier === 'uvu' && context.parentURL !== GUARD) return { url: GUARD, shortCircuit: true };
  return next(specifier, context);
}
