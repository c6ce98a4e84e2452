// Types of build-stamp.mjs (for the tests that import it).
/** The stamp a successful build leaves in a package: `dist/.build-hash`. */
export declare const STAMP: string;
/** The repo root. */
export declare const ROOT: string;
/** Every file a package's build reads. */
export declare function buildInputs(pkgDir: string): string[];
/** A hash over the names and contents of {@link buildInputs}. */
export declare function inputsHash(pkgDir: string): string;
/** True when the package's dist/ was built from its current inputs. */
export declare function isBuilt(pkgDir: string): boolean;
