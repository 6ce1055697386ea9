// JNI entry points that execute kernels/*.cu on the CPU through cuda_emu.h.
// Java side: org.badfl.gpu.CudaEmulation.
#include <jni.h>
#include "cuda_emu.h"
#include "all_kernels.cu"

thread_local cuda_emu::ThreadState cuda_emu::current;

extern "C" JNIEXPORT void JNICALL
Java_org_badfl_gpu_CudaEmulation_axpy(JNIEnv* env, jclass, jfloatArray y, jfloatArray x, jfloat a,
                                      jint gridX, jint blockX) {
    jint n = env->GetArrayLength(y);
    float* yp = env->GetFloatArrayElements(y, nullptr);
    float* xp = env->GetFloatArrayElements(x, nullptr);
    cuda_emu::launch(axpy_forward_kernel, dim3(gridX), dim3(blockX), yp, (const float*)xp, (float)a, (int)n);
    env->ReleaseFloatArrayElements(x, xp, JNI_ABORT);
    env->ReleaseFloatArrayElements(y, yp, 0);
}
