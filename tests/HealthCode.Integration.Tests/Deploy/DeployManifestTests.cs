using System.Text.Json.Nodes;

namespace HealthCode.Integration.Deploy;

/// <summary>
/// deploy/ as committed (issue 13, item 5): the compose file passes <c>docker-compose config</c>, every Kubernetes manifest
/// passes its schema, and the invariants no schema sees hold (<see cref="DeployRules"/>). Nothing here builds an image or
/// starts a cluster: this machine has neither a container engine nor Kubernetes (docs/SCALE.md says what was not run).
/// </summary>
[TestFixture]
public sealed class DeployManifestTests
{
    private JsonArray _manifests = [];
    private string _dockerfile = "";

    [OneTimeSetUp]
    public async Task ReadAsync()
    {
        _dockerfile = await File.ReadAllTextAsync(DeployTools.DeployFile("Dockerfile"));
        _manifests = [];
        foreach (var file in DeployTools.KubernetesFiles())
        {
            foreach (var document in await DeployTools.YamlAsync(await File.ReadAllTextAsync(file)))
            {
                _manifests.Add(document?.DeepClone());
            }
        }
    }

    [Test]
    public async Task Compose_PassesDockerComposeConfig()
    {
        var (exit, output, errors) = await DeployTools.ComposeConfigAsync(DeployTools.DeployFile("compose.yaml"));

        Assert.That(exit, Is.Zero, $"docker-compose config refused deploy/compose.yaml:\n{errors}\n{output}");
    }

    [Test]
    public async Task Compose_RunsOnHealthyPostgresAndRedis_HardenedAsTheImagesUser_WithKeysReadOnly()
    {
        var (exit, output, errors) = await DeployTools.ComposeConfigAsync(DeployTools.DeployFile("compose.yaml"));
        Assert.That(exit, Is.Zero, errors);

        // The file as compose resolves it: anchors merged, short forms expanded (depends_on: {x: {condition: ...}}).
        var resolved = (await DeployTools.YamlAsync(output)).Single()!.AsObject();

        Assert.That(DeployRules.Compose(resolved, DeployRules.ImageUser(_dockerfile)), Is.Empty);
    }

    [Test]
    public async Task KubernetesManifests_PassTheKubernetesSchemas()
    {
        var files = DeployTools.KubernetesFiles();
        Assert.That(files, Is.Not.Empty);

        var (exit, output) = await DeployTools.CheckKubernetesAsync(files);

        await TestContext.Out.WriteLineAsync(output);
        Assert.That(exit, Is.Zero, $"deploy/k8s does not pass the schema check:\n{output}");
    }

    [Test]
    public void Dockerfile_IsMultiStage_WithANumericUser_OwningData_AndAHealthcheck() =>
        Assert.That(DeployRules.Dockerfile(_dockerfile), Is.Empty);

    [Test]
    public async Task DockerIgnore_KeepsBuildOutput_History_TestOutput_AndKeys_OutOfTheContext() =>
        Assert.That(DeployRules.DockerIgnore(await File.ReadAllTextAsync(Path.Combine(DeployTools.Root, ".dockerignore"))), Is.Empty);

    [Test]
    public void Pods_RunAsTheImagesNumericUser() =>
        Assert.That(DeployRules.RunsAsImageUser(_manifests, DeployRules.ImageUser(_dockerfile)), Is.Empty);

    [Test]
    public void Deployment_HasMoreThanOneReplica() =>
        Assert.That(DeployRules.SeveralReplicas(_manifests), Is.Empty);

    [Test]
    public void EveryContainer_IsHardened() =>
        Assert.That(DeployRules.ContainersHardened(_manifests), Is.Empty);

    [Test]
    public void Containers_AreProbed_ReadyzForReadiness_HealthzForLiveness() =>
        Assert.That(DeployRules.Probes(_manifests), Is.Empty);

    [Test]
    public void SigningAndPrivacyKeys_AreMountedReadOnly_FromSecrets() =>
        Assert.That(DeployRules.KeysReadOnly(_manifests), Is.Empty);

    [Test]
    public void StoreAndRedisConnectionStrings_ComeFromSecrets() =>
        Assert.That(DeployRules.ConnectionStringsFromSecrets(_manifests), Is.Empty);

    [Test]
    public void DisruptionBudget_AndService_SelectTheDeploymentsPods() =>
        Assert.That(DeployRules.BudgetAndServiceSelectPods(_manifests), Is.Empty);
}
