// Seals AccessKey secrets at rest with AES-256-GCM (OpenSSL) under a master key kept in the data
// directory (`master.key`, 32 random bytes, mode 0600, created on first start).
#pragma once

#include <optional>
#include <string>

namespace floe::auth {

class SecretBox {
 public:
  // Reads the key file, or creates it (O_EXCL, mode 0600) when absent. Throws on failure.
  static SecretBox LoadOrCreate(const std::string& key_path);
  explicit SecretBox(std::string key);  // 32 bytes

  // "v1:" + base64(12-byte IV | ciphertext | 16-byte tag); a fresh random IV every call.
  std::string Seal(const std::string& plaintext) const;
  // nullopt when the text was not sealed with this key or was altered.
  std::optional<std::string> Open(const std::string& sealed) const;
  // A key for another purpose, derived from the master key (HMAC-SHA256 of the purpose), so
  // that every node given the same master.key derives the same one.
  std::string DeriveKey(const std::string& purpose) const;

 private:
  std::string key_;
};

}  // namespace floe::auth
