/*
 * bcryptprimitives.dll shim for Wine 8, which has no ProcessPrng (Rust's
 * standard library imports it since Rust 1.78 to get random bytes on Windows).
 * Forwards to SystemFunction036 (RtlGenRandom) in advapi32, which Wine has.
 * Only for running the test binary under Wine; never shipped.
 *
 *   x86_64-w64-mingw32-gcc -O2 -shared -o bcryptprimitives.dll processprng_shim.c -ladvapi32
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
