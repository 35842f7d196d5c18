using k8s;
using k8s.Models;

namespace Fraud.Host.Tests;

/// <summary>
/// deploy/kubernetes checked without a cluster: every document read strictly into the Kubernetes client's typed models
/// (a misspelt or misplaced field fails), then what the detector needs of them: discovery by pod label through RBAC, a
/// headless service that publishes unready pods, probes on /ready and /healthz, a grace period longer than the
/// shutdown timeout, resources, secrets from a Secret, and a disruption budget over the same pods.
/// </summary>
public sealed class KubernetesManifestSpecs
{
    private static readonly string Folder = Path.Combine(FraudProcess.RepositoryRoot(), "deploy", "kubernetes");

    private static List<object> Documents(string file) =>
        KubernetesYaml.LoadAllFromString(File.ReadAllText(Path.Combine(Folder, file)), strict: true).ToList();

    private static T Single<T>(string file) => Documents(file).OfType<T>().Single();

    [Fact]
    public void Should_read_every_manifest_strictly_and_list_each_in_the_kustomization()
    {
        var files = Directory.GetFiles(Folder, "*.yaml").Select(Path.GetFileName).Where(f => f != "kustomization.yaml").ToList();
        Assert.All(files, file => Assert.NotEmpty(Documents(file!)));
        var kustomization = File.ReadAllText(Path.Combine(Folder, "kustomization.yaml"));
        Assert.All(files.Where(f => f != "secret.example.yaml"), file => Assert.Contains($"- {file}", kustomization));
        Assert.DoesNotContain("secret.example.yaml", kustomization.Split('\n').Where(l => l.TrimStart().StartsWith('-')));
        Assert.Throws<YamlDotNet.Core.YamlException>(() => KubernetesYaml.LoadAllFromString(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\nspec:\n  clusterIp: None\n", strict: true)); // the check can fail
    }

    [Fact]
    public void Should_run_nodes_that_find_each_other_by_pod_label_and_stop_within_their_grace_period()
    {
        var set = Single<V1StatefulSet>("statefulset.yaml");
        var pod = set.Spec.Template;
        var container = Assert.Single(pod.Spec.Containers);
        var env = container.Env.ToDictionary(e => e.Name);
        Assert.Equal("kubernetes", env["Cluster__Discovery"].Value);
        Assert.Equal("app={0}", env["Cluster__PodLabelSelector"].Value);
        Assert.Equal(pod.Metadata.Labels["app"], env["Cluster__ServiceName"].Value);
        Assert.Equal("$(POD_IP)", env["Cluster__Hostname"].Value);
        Assert.Equal("status.podIP", env["POD_IP"].ValueFrom.FieldRef.FieldPath);
        Assert.Equal(8558, container.Ports.Single(p => p.Name == "management").ContainerPort); // the port name discovery asks for
        Assert.Equal("8558", env["Cluster__ManagementPort"].Value);
        Assert.Equal("detector-secrets", env["Checkpoints__ConnectionString"].ValueFrom.SecretKeyRef.Name);
        Assert.Equal("detector-secrets", env["Dashboard__Token"].ValueFrom.SecretKeyRef.Name);
        Assert.Null(env["Checkpoints__ConnectionString"].Value); // never in the manifest itself
        Assert.Equal("/ready", container.ReadinessProbe.HttpGet.Path);
        Assert.Equal("/healthz", container.LivenessProbe.HttpGet.Path);
        Assert.NotNull(container.Resources.Requests["cpu"]);
        Assert.NotNull(container.Resources.Limits["memory"]);
        var shutdown = TimeSpan.Parse(env["Detector__ShutdownTimeout"].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(pod.Spec.TerminationGracePeriodSeconds > shutdown.TotalSeconds, "the grace period must outlast the drain");
        Assert.Equal("detector", pod.Spec.ServiceAccountName);
    }

    [Fact]
    public void Should_let_the_pods_read_pods_publish_unready_addresses_and_budget_one_disruption()
    {
        var rbac = Documents("rbac.yaml");
        var role = rbac.OfType<V1Role>().Single();
        var rule = Assert.Single(role.Rules);
        Assert.Equal(["pods"], rule.Resources);
        Assert.Equal(["get", "list", "watch"], rule.Verbs.Order());
        var binding = rbac.OfType<V1RoleBinding>().Single();
        Assert.Equal(role.Metadata.Name, binding.RoleRef.Name);
        Assert.Equal(rbac.OfType<V1ServiceAccount>().Single().Metadata.Name, binding.Subjects.Single().Name);

        var headless = Documents("service.yaml").OfType<V1Service>().Single(s => s.Spec.ClusterIP == "None");
        Assert.True(headless.Spec.PublishNotReadyAddresses);
        var set = Single<V1StatefulSet>("statefulset.yaml");
        Assert.Equal(headless.Metadata.Name, set.Spec.ServiceName);
        Assert.Equal(set.Spec.Template.Metadata.Labels, headless.Spec.Selector);

        var budget = Single<V1PodDisruptionBudget>("poddisruptionbudget.yaml");
        Assert.Equal(set.Spec.Template.Metadata.Labels, budget.Spec.Selector.MatchLabels);
        Assert.Equal("1", budget.Spec.MaxUnavailable.Value);
        var secret = Single<V1Secret>("secret.example.yaml");
        var keys = set.Spec.Template.Spec.Containers[0].Env.Where(e => e.ValueFrom?.SecretKeyRef is not null).Select(e => e.ValueFrom.SecretKeyRef.Key);
        Assert.All(keys, key => Assert.Contains(key, secret.StringData.Keys));
    }
}
