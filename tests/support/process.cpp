#include "tests/support/process.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>

namespace pktdrill::test {

namespace {

// Single quotes keep every byte literal to the shell; a quote inside becomes '\''.
std::string shell_quote(std::string const& arg) {
    std::string out = "'";
    for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::string slurp(std::string const& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct PipeCloser {
    void operator()(FILE* f) const {
        if (f) ::pclose(f);
    }
};

}  // namespace

ProcessResult run_process(std::vector<std::string> const& argv, std::string const& directory) {
    if (argv.empty()) throw std::invalid_argument("run_process: no program");
    // popen captures standard output only; standard error goes to a file of our own.
    char err_path[] = "/tmp/pktdrill-test-stderr-XXXXXX";
    int const fd = ::mkstemp(err_path);
    if (fd < 0) throw std::runtime_error("run_process: mkstemp failed");
    ::close(fd);

    // Appended piece by piece: g++ 12 warns (-Wrestrict, falsely) about "literal" + std::string.
    std::string command;
    if (!directory.empty()) command.append("cd ").append(shell_quote(directory)).append(" && ");
    command.append("exec");
    for (auto const& arg : argv) command.append(" ").append(shell_quote(arg));
    command.append(" </dev/null 2>").append(shell_quote(err_path));

    ProcessResult result;
    std::unique_ptr<FILE, PipeCloser> pipe(::popen(command.c_str(), "r"));
    if (!pipe) {
        ::unlink(err_path);
        throw std::runtime_error("run_process: popen failed");
    }
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, pipe.get())) > 0) result.out.append(buf, n);
    int const status = ::pclose(pipe.release());
    if (WIFEXITED(status)) result.exit_status = WEXITSTATUS(status);
    else if (WIFSIGNALED(status)) result.exit_status = 128 + WTERMSIG(status);
    result.err = slurp(err_path);
    ::unlink(err_path);
    return result;
}

}  // namespace pktdrill::test
