// JNI entry points of libbadfl_cudaemu.so (Java side: org.badfl.gpu.EmuNative, used by EmulatedDevice).
// C++ errors become Java exceptions: BadArgument -> IllegalArgumentException, KernelFault -> IllegalStateException,
// allocation failure -> OutOfMemoryError.
#include <jni.h>

#include <new>
#include <string>
#include <vector>

#include "emu_runtime.h"

using namespace cuda_emu;

namespace {

void throw_java(JNIEnv* env, const char* cls, const std::string& msg) {
    jclass c = env->FindClass(cls);
    if (c != nullptr) {
        env->ThrowNew(c, msg.c_str());
    }
}

template <typename F>
auto guarded(JNIEnv* env, F body) -> decltype(body()) {
    try {
        return body();
    } catch (const BadArgument& e) {
        throw_java(env, "java/lang/IllegalArgumentException", e.what());
    } catch (const KernelFault& e) {
        throw_java(env, "java/lang/IllegalStateException", e.what());
    } catch (const std::bad_alloc&) {
        throw_java(env, "java/lang/OutOfMemoryError", "emulated device: host memory exhausted");
    } catch (const std::exception& e) {
        throw_java(env, "java/lang/IllegalStateException", std::string("emulated device: ") + e.what());
    }
    return decltype(body())();
}

std::string java_string(JNIEnv* env, jstring s) {
    if (s == nullptr) {
        throw BadArgument("null string");
    }
    const char* c = env->GetStringUTFChars(s, nullptr);
    std::string r(c);
    env->ReleaseStringUTFChars(s, c);
    return r;
}

// Copies between a Java primitive array and emulated device memory (the array pinned only for the memcpy).
void array_copy(JNIEnv* env, jarray array, jlong arrayByteOffset, jlong device, jlong bytes, bool toDevice) {
    if (array == nullptr) {
        throw BadArgument("host array is null");
    }
    if (bytes < 0 || arrayByteOffset < 0) {
        throw BadArgument("negative copy size or offset");
    }
    if (bytes == 0) {
        return;
    }
    mem_check_range((uint64_t)device, (uint64_t)bytes, toDevice ? "copy to device" : "copy from device");
    void* host = env->GetPrimitiveArrayCritical(array, nullptr);
    if (host == nullptr) {
        throw std::bad_alloc();
    }
    unsigned char* h = static_cast<unsigned char*>(host) + arrayByteOffset;
    unsigned char* d = reinterpret_cast<unsigned char*>(device);
    if (toDevice) {
        std::memcpy(d, h, (size_t)bytes);
        env->ReleasePrimitiveArrayCritical(array, host, JNI_ABORT);
    } else {
        std::memcpy(h, d, (size_t)bytes);
        env->ReleasePrimitiveArrayCritical(array, host, 0);
    }
}

} // namespace

extern "C" {

JNIEXPORT jint JNICALL Java_org_badfl_gpu_EmuNative_maxThreads(JNIEnv*, jclass) {
    return (jint)kMaxWorkerThreads;
}

JNIEXPORT jobjectArray JNICALL Java_org_badfl_gpu_EmuNative_kernels(JNIEnv* env, jclass) {
    return guarded(env, [&]() -> jobjectArray {
        const auto& reg = kernel_registry();
        jobjectArray out = env->NewObjectArray((jsize)(2 * reg.size()), env->FindClass("java/lang/String"), nullptr);
        for (size_t i = 0; i < reg.size(); i++) {
            env->SetObjectArrayElement(out, (jsize)(2 * i), env->NewStringUTF(reg[i].name));
            env->SetObjectArrayElement(out, (jsize)(2 * i + 1), env->NewStringUTF(reg[i].signature.c_str()));
        }
        return out;
    });
}

JNIEXPORT jlong JNICALL Java_org_badfl_gpu_EmuNative_alloc(JNIEnv* env, jclass, jlong bytes) {
    return guarded(env, [&] {
        if (bytes <= 0) throw BadArgument("allocation size must be > 0 bytes, got " + std::to_string(bytes));
        return (jlong)mem_alloc((uint64_t)bytes);
    });
}

JNIEXPORT void JNICALL Java_org_badfl_gpu_EmuNative_free(JNIEnv* env, jclass, jlong handle) {
    guarded(env, [&] { mem_free((uint64_t)handle); });
}

JNIEXPORT void JNICALL Java_org_badfl_gpu_EmuNative_copyToDevice(JNIEnv* env, jclass, jarray array, jlong arrayByteOffset,
                                                                 jlong dst, jlong bytes) {
    guarded(env, [&] { array_copy(env, array, arrayByteOffset, dst, bytes, true); });
}

JNIEXPORT void JNICALL Java_org_badfl_gpu_EmuNative_copyToHost(JNIEnv* env, jclass, jlong src, jarray array,
                                                               jlong arrayByteOffset, jlong bytes) {
    guarded(env, [&] { array_copy(env, array, arrayByteOffset, src, bytes, false); });
}

JNIEXPORT void JNICALL Java_org_badfl_gpu_EmuNative_copyDeviceToDevice(JNIEnv* env, jclass, jlong src, jlong dst, jlong bytes) {
    guarded(env, [&] {
        if (bytes <= 0) return;
        mem_check_range((uint64_t)src, (uint64_t)bytes, "device-to-device copy source");
        mem_check_range((uint64_t)dst, (uint64_t)bytes, "device-to-device copy destination");
        std::memmove(reinterpret_cast<void*>(dst), reinterpret_cast<const void*>(src), (size_t)bytes);
    });
}

JNIEXPORT void JNICALL Java_org_badfl_gpu_EmuNative_memset8(JNIEnv* env, jclass, jlong dst, jint value, jlong bytes) {
    guarded(env, [&] {
        if (bytes <= 0) return;
        mem_check_range((uint64_t)dst, (uint64_t)bytes, "memset");
        std::memset(reinterpret_cast<void*>(dst), value & 0xFF, (size_t)bytes);
    });
}

JNIEXPORT void JNICALL Java_org_badfl_gpu_EmuNative_memset32(JNIEnv* env, jclass, jlong dst, jint value, jlong count) {
    guarded(env, [&] {
        if (count <= 0) return;
        if ((dst & 3) != 0) throw BadArgument("memset32: address not 4-byte aligned");
        mem_check_range((uint64_t)dst, (uint64_t)count * 4, "memset32");
        uint32_t* p = reinterpret_cast<uint32_t*>(dst);
        for (jlong i = 0; i < count; i++) p[i] = (uint32_t)value;
    });
}

JNIEXPORT jlong JNICALL Java_org_badfl_gpu_EmuNative_liveAllocations(JNIEnv* env, jclass) {
    return guarded(env, [&] { return (jlong)mem_live_allocations(); });
}

JNIEXPORT jlong JNICALL Java_org_badfl_gpu_EmuNative_liveBytes(JNIEnv* env, jclass) {
    return guarded(env, [&] { return (jlong)mem_live_bytes(); });
}

JNIEXPORT void JNICALL Java_org_badfl_gpu_EmuNative_launch(JNIEnv* env, jclass, jstring kernelName, jint gx, jint gy, jint gz,
                                                           jint bx, jint by, jint bz, jint sharedBytes, jstring signature,
                                                           jbyteArray args, jint threads) {
    guarded(env, [&] {
        const std::string name = java_string(env, kernelName);
        const KernelInfo* k = find_kernel(name);
        if (k == nullptr) {
            throw BadArgument("unknown kernel '" + name + "': not in the emulator's registry (native/cuda_emu_kernels.cpp)");
        }
        const std::string sig = java_string(env, signature);
        if (sig != k->signature) {
            throw BadArgument("kernel '" + name + "' takes arguments '" + k->signature + "', got '" + sig
                              + "' (p pointer, i int32, l int64, f float32, d float64)");
        }
        size_t expected = 0;
        for (char c : sig) expected += arg_size(c);
        std::vector<unsigned char> packed(expected);
        const jsize given = args == nullptr ? 0 : env->GetArrayLength(args);
        if ((size_t)given != expected) {
            throw BadArgument("kernel '" + name + "': packed arguments have " + std::to_string(given) + " bytes, expected "
                              + std::to_string(expected));
        }
        if (expected > 0) {
            env->GetByteArrayRegion(args, 0, given, reinterpret_cast<jbyte*>(packed.data()));
        }
        // Every pointer argument must point into a live allocation (null is allowed, as on a GPU).
        std::vector<uint64_t> pointers(sig.size(), 0);
        size_t off = 0;
        for (size_t a = 0; a < sig.size(); a++) {
            if (sig[a] == 'p') {
                uint64_t p;
                std::memcpy(&p, packed.data() + off, 8);
                if (p != 0) {
                    std::string what = "kernel '" + name + "' pointer argument " + std::to_string(a);
                    mem_check_range(p, 0, what.c_str());
                }
                pointers[a] = p;
            }
            off += arg_size(sig[a]);
        }
        if (gx <= 0 || gy <= 0 || gz <= 0 || bx <= 0 || by <= 0 || bz <= 0 || sharedBytes < 0) {
            throw BadArgument("kernel '" + name + "': grid, block and shared memory sizes must be positive");
        }
        launch(*k, packed.data(), dim3((unsigned)gx, (unsigned)gy, (unsigned)gz), dim3((unsigned)bx, (unsigned)by, (unsigned)bz),
               (size_t)sharedBytes, (int)threads);
        mem_check_canaries(pointers, k->name);
    });
}

} // extern "C"
