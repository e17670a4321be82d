// libsodium must be initialised once before use: sodium_init() also selects the fastest implementations
// (BLAKE2b with AVX2 where the CPU has it). Safe to call from any thread, any number of times.
#pragma once

namespace ejournal::log {
void ensure_sodium();
}
