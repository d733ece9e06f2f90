package io.kmm.api.v1alpha1;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LocalObjectReference;

/**
 * Secure-boot signing of the kernel modules in a ModuleLoader image: an extra in-cluster build signs the listed files
 * of the unsigned image (built by {@code build}, or {@code unsignedImage}) with the user's key and certificate and
 * pushes the result as the mapping's containerImage.
 */
// Unknown fields (a newer CRD than this operator) are ignored: failing on them would stop the Module informer.
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Sign {

    @JsonPropertyDescription("Image whose modules are signed, when the mapping has no build (e.g. a vendor's image). "
            + "Same variables as containerImage. With a build, the build's output is signed instead.")
    @Size(max = 1024)
    @ValidationRule(value = "self.size() > 0", message = "unsignedImage must not be empty")
    @ValidationRule(value = "!self.matches('\\\\s')", message = "unsignedImage must not contain white space")
    private String unsignedImage;

    @JsonPropertyDescription("Secret in the Module's namespace whose 'key' entry is the PEM private key. It is mounted "
            + "read-only into the signing build only; the operator reads it to notice a new key, never logs it.")
    @ValidationRule(value = "has(self.name) && self.name.size() > 0", message = "keySecret.name is required")
    private LocalObjectReference keySecret;

    @JsonPropertyDescription("Secret in the Module's namespace whose 'cert' entry is the X.509 certificate (PEM or "
            + "DER) of the key, the one enrolled on the nodes.")
    @ValidationRule(value = "has(self.name) && self.name.size() > 0", message = "certSecret.name is required")
    private LocalObjectReference certSecret;

    @JsonPropertyDescription("Absolute paths of the files to sign in the image, under modprobe.dirName (/opt by "
            + "default), e.g. /opt/lib/modules/${KERNEL_FULL_VERSION}/extra/my.ko. Shell globs (*, ?, [...]) and the "
            + "containerImage variables are allowed. A mapping's list is appended to the Module's.")
    @Size(max = 64)
    private List<String> filesToSign;

    @JsonPropertyDescription("Options for pulling the unsigned image (and the registry check of it).")
    private RegistryOptions pull;

    @JsonPropertyDescription("Options for pushing the signed image (with a build, its push options count too).")
    private RegistryOptions push;

    public String getUnsignedImage() {
        return unsignedImage;
    }

    public void setUnsignedImage(String unsignedImage) {
        this.unsignedImage = unsignedImage;
    }

    public LocalObjectReference getKeySecret() {
        return keySecret;
    }

    public void setKeySecret(LocalObjectReference keySecret) {
        this.keySecret = keySecret;
    }

    public LocalObjectReference getCertSecret() {
        return certSecret;
    }

    public void setCertSecret(LocalObjectReference certSecret) {
        this.certSecret = certSecret;
    }

    public List<String> getFilesToSign() {
        return filesToSign;
    }

    public void setFilesToSign(List<String> filesToSign) {
        this.filesToSign = filesToSign;
    }

    public RegistryOptions getPull() {
        return pull;
    }

    public void setPull(RegistryOptions pull) {
        this.pull = pull;
    }

    public RegistryOptions getPush() {
        return push;
    }

    public void setPush(RegistryOptions push) {
        this.push = push;
    }
}
