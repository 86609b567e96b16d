#include "auth/secret_box.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "auth/crypto.h"
#include "core/ids.h"

namespace floe::auth {

namespace {

constexpr size_t kKeyLen = 32, kIvLen = 12, kTagLen = 16;
constexpr char kPrefix[] = "v1:";

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

std::optional<std::string> Unbase64(const std::string& text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  size_t pad = 0;
  if (!text.empty() && text.back() == '=') ++pad;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

std::string ReadAll(int fd) {
  std::string out;
  char buf[256];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace

SecretBox SecretBox::LoadOrCreate(const std::string& key_path) {
  int fd = ::open(key_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    std::string key = core::RandomBytes(kKeyLen);
    bool ok =
        ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) throw std::runtime_error("cannot write " + key_path + ": " + std::strerror(errno));
    return SecretBox(key);
  }
  if (errno != EEXIST) {
    throw std::runtime_error("cannot create " + key_path + ": " + std::strerror(errno));
  }
  // Another process may be writing it right now: wait for the whole key.
  for (int attempt = 0; attempt < 50; ++attempt) {
    fd = ::open(key_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error("cannot read " + key_path + ": " + std::strerror(errno));
    std::string key = ReadAll(fd);
    ::close(fd);
    if (key.size() == kKeyLen) return SecretBox(key);
    if (key.size() > kKeyLen) break;
    ::usleep(20'000);
  }
  throw std::runtime_error(key_path + " is not a 32-byte master key");
}

SecretBox::SecretBox(std::string key) : key_(std::move(key)) {
  if (key_.size() != kKeyLen) throw std::invalid_argument("master key must be 32 bytes");
}

std::string SecretBox::Seal(const std::string& plaintext) const {
  std::string iv = core::RandomBytes(kIvLen);
  std::string out = iv + std::string(plaintext.size(), '\0') + std::string(kTagLen, '\0');
  auto* ct = reinterpret_cast<unsigned char*>(out.data() + kIvLen);
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0, fin = 0;
  if (!ctx ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr,
                         reinterpret_cast<const unsigned char*>(key_.data()),
                         reinterpret_cast<const unsigned char*>(iv.data())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), ct, &len,
                        reinterpret_cast<const unsigned char*>(plaintext.data()),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), ct + len, &fin) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagLen, ct + plaintext.size()) != 1) {
    throw std::runtime_error("AES-256-GCM seal failed");
  }
  return kPrefix + Base64(out);
}

std::optional<std::string> SecretBox::Open(const std::string& sealed) const {
  if (sealed.rfind(kPrefix, 0) != 0) return std::nullopt;
  auto raw = Unbase64(sealed.substr(sizeof kPrefix - 1));
  if (!raw || raw->size() < kIvLen + kTagLen) return std::nullopt;
  size_t ct_len = raw->size() - kIvLen - kTagLen;
  std::string plain(ct_len, '\0');
  const auto* in = reinterpret_cast<const unsigned char*>(raw->data());
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0, fin = 0;
  std::string tag = raw->substr(kIvLen + ct_len);
  if (!ctx ||
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr,
                         reinterpret_cast<const unsigned char*>(key_.data()), in) != 1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &len,
                        in + kIvLen, static_cast<int>(ct_len)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagLen, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + len, &fin) !=
          1) {
    return std::nullopt;
  }
  return plain;
}

std::string SecretBox::DeriveKey(const std::string& purpose) const {
  return HmacSha256(key_, "floe key: " + purpose);
}

}  // namespace floe::auth
