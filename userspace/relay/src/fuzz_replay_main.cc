// Runs a libFuzzer entry point over corpus files or directories given on the
// command line, so the seed corpus and every crash found are regression tests
// in an ordinary (gcc) build.
#include <dirent.h>
#include <sys/stat.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int RunFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
  return 1;
}

int main(int argc, char **argv) {
  int n = 0;
  for (int i = 1; i < argc; ++i) {
    struct stat st;
    if (stat(argv[i], &st) != 0) {
      std::fprintf(stderr, "no such corpus: %s\n", argv[i]);
      return 1;
    }
    if (!S_ISDIR(st.st_mode)) {
      n += RunFile(argv[i]);
      continue;
    }
    DIR *d = opendir(argv[i]);
    while (dirent *e = d ? readdir(d) : nullptr)
      if (e->d_name[0] != '.') n += RunFile(std::string(argv[i]) + "/" + e->d_name);
    if (d) closedir(d);
  }
  std::printf("%d inputs replayed\n", n);
  return n > 0 ? 0 : 1;
}
